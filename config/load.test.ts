import t from 'tap'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig, ConfigError } from './load.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const base = (extra: Record<string, string> = {}) => ({
  CRISP_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'crisp-cfg-')),
  CRISP_PLUGINS_FILE: path.join(ROOT, 'config', 'plugins.json'),
  ...extra,
})

t.test('defaults give a working development config', async (t) => {
  const config = loadConfig(base(), ROOT)
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.publicUrl, 'http://127.0.0.1:3000')
  t.equal(config.rateLimit.authenticated, 100)
  t.equal(config.rateLimit.anonymous, 20)
  t.same(config.corsOrigins, [])
})

t.test('a bad environment names every bad variable at once', async (t) => {
  const err = t.throws(() =>
    loadConfig(
      base({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
        DATABASE_URL: 'mysql://x',
        CRISP_BODY_LIMIT: '-1',
      }),
      ROOT,
    ),
  ) as ConfigError
  t.type(err, ConfigError)
  for (const name of ['PORT', 'LOG_LEVEL', 'PUBLIC_URL', 'DATABASE_URL', 'CRISP_BODY_LIMIT']) {
    t.ok(
      err.problems.some((p) => p.startsWith(`${name}:`)),
      `${name} is named`,
    )
  }
  t.equal(err.problems.length, 5, 'one line per variable')
  t.notMatch(err.message, /mysql:\/\/x/, 'database URLs are masked in messages')
})

t.test('production requires every secret', async (t) => {
  const err = t.throws(() => loadConfig(base({ NODE_ENV: 'production' }), ROOT)) as ConfigError
  t.same(
    err.problems
      .filter((p) => p.includes('required when NODE_ENV=production'))
      .map((p) => p.split(':')[0])
      .sort(),
    [
      'CRISP_ADMIN_SESSION_SECRET',
      'CRISP_ANONYMIZATION_KEY',
      'CRISP_DOWNLOAD_LINK_SECRET',
      'CRISP_JWT_SECRET',
      'CRISP_SECRETS_KEY',
    ],
  )
  t.throws(() => loadConfig(base({ NODE_ENV: 'production', CRISP_JWT_SECRET: 'short' }), ROOT), /CRISP_JWT_SECRET/)
})

t.test('development secrets are generated once and kept', async (t) => {
  const env = base()
  const first = loadConfig(env, ROOT)
  t.same(first.generatedSecrets.sort(), [
    'CRISP_ADMIN_SESSION_SECRET',
    'CRISP_ANONYMIZATION_KEY',
    'CRISP_DOWNLOAD_LINK_SECRET',
    'CRISP_JWT_SECRET',
    'CRISP_SECRETS_KEY',
  ])
  const file = path.join(env.CRISP_DATA_DIR, 'secrets.json')
  t.ok(existsSync(file))
  t.equal((await import('node:fs')).statSync(file).mode & 0o777, 0o600, 'secrets file is private')
  const second = loadConfig(env, ROOT)
  t.same(second.secrets, first.secrets, 'same secrets after a restart')
  t.same(second.generatedSecrets, [], 'nothing generated the second time')
  t.equal(second.fileSecrets.length, 5)
  t.equal(JSON.parse(readFileSync(file, 'utf8')).jwt, first.secrets.jwt)
})

t.test('a bad plugins file is a config error naming the file and path', async (t) => {
  const err = t.throws(() =>
    loadConfig(base({ CRISP_PLUGINS_FILE: path.join(ROOT, 'nope.json') }), ROOT),
  ) as ConfigError
  t.match(err.problems[0], /^CRISP_PLUGINS_FILE: cannot read/)
})

t.test('egress: the allow-list is parsed, each bad entry named; the files folder must exist', async (t) => {
  const config = loadConfig(base({ CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32, 10.20.0.0/16,::1' }), ROOT)
  t.same(
    config.egress,
    { allowPrivate: ['127.0.0.1/32', '10.20.0.0/16', '::1'], filesDir: undefined },
    'file feeds are off by default',
  )
  t.same(loadConfig(base(), ROOT).egress.allowPrivate, [], 'nothing private by default')
  t.equal(
    loadConfig(base({ CRISP_FEED_FILES_DIR: 'plugins' }), ROOT).egress.filesDir,
    path.join(ROOT, 'plugins'),
    'relative to the working folder',
  )

  const err = t.throws(() =>
    loadConfig(
      base({ CRISP_FEED_ALLOW_PRIVATE: '10.0.0.0/8,10.0.0.0/33,intranet', CRISP_FEED_FILES_DIR: 'nope' }),
      ROOT,
    ),
  ) as ConfigError
  t.same(err.problems, [
    'CRISP_FEED_ALLOW_PRIVATE: "10.0.0.0/33": the prefix must be a number from 0 to 32',
    'CRISP_FEED_ALLOW_PRIVATE: "intranet": not an IP address or CIDR range (address/prefix)',
    `CRISP_FEED_FILES_DIR: ${path.join(ROOT, 'nope')} is not a folder`,
  ])
})

t.test('CRISP_DB_POOL_MAX and the audit retention: defaults, values, validated ranges', async (t) => {
  const defaults = loadConfig(base(), ROOT)
  t.equal(defaults.dbPoolMax, 10)
  t.equal(defaults.auditRetention.days, 0, 'audit entries are kept forever by default')
  t.equal(defaults.auditRetention.archiveDir, path.join(defaults.dataDir, 'audit-archive'))
  const set = loadConfig(
    base({ CRISP_DB_POOL_MAX: '25', CRISP_AUDIT_RETENTION_DAYS: '365', CRISP_AUDIT_ARCHIVE_DIR: '/srv/audit' }),
    ROOT,
  )
  t.equal(set.dbPoolMax, 25)
  t.same(set.auditRetention, { days: 365, archiveDir: '/srv/audit' })
  for (const bad of ['0', '1001', 'ten']) {
    const err = t.throws(() => loadConfig(base({ CRISP_DB_POOL_MAX: bad }), ROOT)) as ConfigError
    t.ok(
      err.problems.some((p) => p.startsWith('CRISP_DB_POOL_MAX:')),
      `CRISP_DB_POOL_MAX=${bad} refused`,
    )
  }
  const err = t.throws(() => loadConfig(base({ CRISP_AUDIT_RETENTION_DAYS: '-1' }), ROOT)) as ConfigError
  t.ok(err.problems.some((p) => p.startsWith('CRISP_AUDIT_RETENTION_DAYS:')))
})
