import t from 'tap'
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EnvSchema } from './env-schema.js'
import { ConfigError, loadConfig } from './load.js'
import { applySecretFiles, secretVariableNames } from './secret-files.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-secret-files-'))
const base = (extra: Record<string, string> = {}) => ({
  CRISP_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'crisp-cfg-')),
  CRISP_PLUGINS_FILE: path.join(ROOT, 'config', 'plugins.json'),
  ...extra,
})
let count = 0
/** Writes `content` to a fresh file and returns its path. */
const secretFile = (content: string): string => {
  const file = path.join(dir, `secret-${++count}`)
  writeFileSync(file, content, { mode: 0o600 })
  return file
}
const secret = (tag: string) => `${tag}-${'s'.repeat(40)}`

t.test('every variable that holds a secret is marked, so it has a _FILE form', async (t) => {
  const names = secretVariableNames()
  for (const name of [
    'CRISP_JWT_SECRET',
    'CRISP_ANONYMIZATION_KEY',
    'CRISP_ADMIN_SESSION_SECRET',
    'CRISP_METRICS_TOKEN',
    'DATABASE_URL',
    'CRISP_ADMIN_PASSWORD',
  ]) {
    t.ok(names.includes(name), `${name} may be given as ${name}_FILE`)
  }
  // A secret added to the schema later must carry the marker (the Secret() helper sets it): this catches one that
  // does not. CRISP_TLS_KEY names a key *file*, it is not the key itself.
  const looksSecret = /(SECRET|PASSWORD|TOKEN|_KEY|DATABASE_URL)(_PREVIOUS)?$/
  const notSecrets = ['CRISP_TLS_KEY']
  const unmarked = Object.keys(EnvSchema.properties).filter(
    (name) => looksSecret.test(name) && !notSecrets.includes(name) && !names.includes(name),
  )
  t.same(unmarked, [], 'no secret-looking variable lacks `secret: true` in config/env-schema.ts')
  t.notOk(names.includes('PORT'), 'ordinary settings have no _FILE form')
})

t.test('the mechanism follows the schema marker: a new secret needs no code', async (t) => {
  const schema = { properties: { NEW_SECRET: { type: 'string', secret: true }, PLAIN: { type: 'string' } } }
  const names = secretVariableNames(schema)
  t.same(names, ['NEW_SECRET'])
  const { env, problems } = applySecretFiles(
    { NEW_SECRET_FILE: secretFile('v4lue\n'), PLAIN_FILE: secretFile('ignored') },
    names,
  )
  t.same(problems, [])
  t.equal(env.NEW_SECRET, 'v4lue', 'value read, trailing newline trimmed')
  t.equal(env.PLAIN, undefined, 'a variable without the marker is not read from a file')
})

t.test('production secrets from files: every value read, line endings trimmed', async (t) => {
  // Every secret of the schema, including ones added after this test was written, given through its _FILE form.
  const values: Record<string, string> = Object.fromEntries(
    secretVariableNames().map((name) => [name, secret(name.toLowerCase())]),
  )
  values.DATABASE_URL = 'postgres://crisp:pa%20ss@db.internal:5432/crisp'
  values.CRISP_ADMIN_PASSWORD = 'a long admin password'
  const env: Record<string, string> = { NODE_ENV: 'production', CRISP_ADMIN_EMAIL: 'admin@example.org' }
  const endings = ['\n', '\r\n', '', '\n\n']
  Object.entries(values).forEach(([name, value], i) => {
    env[`${name}_FILE`] = secretFile(value + endings[i % endings.length])
  })
  const config = loadConfig(base(env), ROOT)
  t.equal(config.secrets.jwt, values.CRISP_JWT_SECRET)
  t.equal(config.secrets.anonymizationKey, values.CRISP_ANONYMIZATION_KEY)
  t.equal(config.secrets.adminSession, values.CRISP_ADMIN_SESSION_SECRET)
  t.equal(config.metricsToken, values.CRISP_METRICS_TOKEN)
  t.equal(config.databaseUrl, values.DATABASE_URL)
  t.equal(config.firstAdmin.password, values.CRISP_ADMIN_PASSWORD)
  t.same(config.generatedSecrets, [], 'nothing generated in production')
})

t.test('a variable and its _FILE both set is a boot error naming both', async (t) => {
  const content = secret('from-the-file')
  const err = t.throws(() =>
    loadConfig(
      base({ NODE_ENV: 'production', CRISP_JWT_SECRET: secret('jwt'), CRISP_JWT_SECRET_FILE: secretFile(content) }),
      ROOT,
    ),
  ) as ConfigError
  t.type(err, ConfigError)
  const line = err.problems.find((p) => p.startsWith('CRISP_JWT_SECRET_FILE:'))
  t.match(line, /CRISP_JWT_SECRET and CRISP_JWT_SECRET_FILE are both set/)
  t.notMatch(err.message, /from-the-file/, 'the file content is not printed')
  t.notMatch(err.message, /jwt-s{40}/, 'the variable value is not printed')
})

t.test('unusable files are boot errors naming the variable, all at once, never the content', async (t) => {
  const folder = path.join(dir, 'a-folder')
  mkdirSync(folder)
  const err = t.throws(() =>
    loadConfig(
      base({
        PORT: 'eighty',
        CRISP_JWT_SECRET_FILE: path.join(dir, 'missing'),
        CRISP_ANONYMIZATION_KEY_FILE: folder,
        CRISP_ADMIN_SESSION_SECRET_FILE: secretFile('\n'),
        CRISP_METRICS_TOKEN_FILE: secretFile(`TOPSECRET${'x'.repeat(70 * 1024)}`),
      }),
      ROOT,
    ),
  ) as ConfigError
  const byVariable = (name: string) => err.problems.find((p) => p.startsWith(`${name}:`)) ?? ''
  t.match(byVariable('CRISP_JWT_SECRET_FILE'), /for CRISP_JWT_SECRET: no such file/)
  t.match(byVariable('CRISP_ANONYMIZATION_KEY_FILE'), /not a regular file/)
  t.match(byVariable('CRISP_ADMIN_SESSION_SECRET_FILE'), /the file is empty/)
  t.match(byVariable('CRISP_METRICS_TOKEN_FILE'), /larger than 65536 bytes/)
  t.ok(byVariable('PORT'), 'other configuration errors are reported in the same boot')
  t.equal(err.problems.length, 5, 'one line per problem')
  t.notMatch(err.message, /TOPSECRET/, 'no content is printed')
  const env = base({ CRISP_JWT_SECRET_FILE: path.join(dir, 'missing') })
  t.throws(() => loadConfig(env, ROOT))
  t.notOk(
    existsSync(path.join(env.CRISP_DATA_DIR, 'secrets.json')),
    'a boot that fails on a secret file generates no development secrets',
  )
})

t.test('a value read from a file is validated like any other, masked in the message', async (t) => {
  const err = t.throws(() =>
    loadConfig(base({ NODE_ENV: 'production', CRISP_JWT_SECRET_FILE: secretFile('too-short-value\n') }), ROOT),
  ) as ConfigError
  t.ok(
    err.problems.some((p) => p.startsWith('CRISP_JWT_SECRET:')),
    'the secret variable is named',
  )
  t.notMatch(err.message, /too-short-value/)
})

t.test('an empty _FILE variable counts as unset', async (t) => {
  const { env, problems } = applySecretFiles({ CRISP_JWT_SECRET_FILE: '', CRISP_JWT_SECRET: 'kept' })
  t.same(problems, [])
  t.equal(env.CRISP_JWT_SECRET, 'kept')
})
