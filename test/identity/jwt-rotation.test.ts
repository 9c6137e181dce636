import t from 'tap'
import { createHmac } from 'node:crypto'
import { Writable } from 'node:stream'
import { loadConfig } from '../../config/load.js'
import { createLogger } from '../../core/infra/logger.js'
import { createKnex } from '../../core/infra/database.js'
import { createPlatform } from '../../core/platform.js'
import { createJwtCodec, jwtKeyId } from '../../core/identity/jwt-keys.js'
import { createOrg, createUser, freshDatabase, loginAs, ROOT, testEnv } from '../helper.js'
import { bearer, identityPlugins } from './fixtures.js'

const OLD = 'old-jwt-secret-0123456789abcdef0123456789ab'
const NEW = 'new-jwt-secret-0123456789abcdef0123456789ab'

/** Several platforms on one database, each with its own JWT configuration: nodes before and after a rotation. */
const db = await freshDatabase(t)
async function node(env: Record<string, string>) {
  const config = loadConfig(testEnv(env), ROOT)
  config.plugins = identityPlugins
  const logger = createLogger({ level: 'silent', stream: new Writable({ write: (_c, _e, cb) => cb() }) })
  const knex = createKnex(db.url, { poolMax: 2 })
  const { app } = await createPlatform({
    config,
    knex,
    databaseUrl: db.url,
    logger,
    pluginsBaseDir: ROOT,
    firstAdmin: false,
    runWorkers: false,
  })
  db.onDrop(() => app.close())
  return app
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())
/** A token with any header, HMAC-signed with `secret` whatever the header says. */
function forge(header: object, claims: object, secret: string): string {
  const unsigned = `${part(header)}.${part(claims)}`
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`
}

const before = await node({ CRISP_JWT_SECRET: OLD })
const rotating = await node({ CRISP_JWT_SECRET: NEW, CRISP_JWT_SECRET_PREVIOUS: OLD })
const after = await node({ CRISP_JWT_SECRET: NEW })
const user = await createUser(before, { orgId: await createOrg(db.knex, 'A'), role: 'viewer' })
const me = async (app: typeof before, token: string) =>
  (await app.inject({ url: '/api/v1/users/me', headers: bearer(token) })).statusCode

t.test('tokens carry the kid of the key that signed them', async (t) => {
  const token = await loginAs(before, user)
  t.same(headerOf(token), { alg: 'HS256', typ: 'JWT', kid: jwtKeyId(OLD) })
  t.equal(headerOf(await loginAs(rotating, user)).kid, jwtKeyId(NEW), 'the current secret signs')
  t.not(jwtKeyId(OLD), jwtKeyId(NEW))
})

t.test(
  'a token of the previous secret verifies while CRISP_JWT_SECRET_PREVIOUS is set, and not once it is removed',
  async (t) => {
    const oldToken = await loginAs(before, user)
    t.equal(await me(before, oldToken), 200)
    t.equal(await me(rotating, oldToken), 200, 'previous secret still verifies')
    t.equal(await me(after, oldToken), 401, 'refused once the previous secret is gone')
    const newToken = await loginAs(rotating, user)
    t.equal(await me(after, newToken), 200, 'tokens of the new secret outlive the rotation')
    t.equal(await me(before, newToken), 401, 'a node still on the old secret alone does not know the new kid')
  },
)

t.test('refused: no kid, an unknown kid, a kid pointing at another key, alg none, RS256, and no exp', async (t) => {
  const claims = claimsOf(await loginAs(rotating, user))
  const good = { alg: 'HS256', typ: 'JWT', kid: jwtKeyId(NEW) }
  t.equal(await me(rotating, forge(good, claims, NEW)), 200, 'the forge helper makes valid tokens (control)')
  t.equal(
    await me(rotating, forge({ alg: 'HS256', typ: 'JWT' }, claims, NEW)),
    401,
    'no kid, even signed with the current secret',
  )
  t.equal(await me(rotating, forge({ ...good, kid: 'nope' }, claims, NEW)), 401, 'unknown kid')
  t.equal(
    await me(rotating, forge({ ...good, kid: jwtKeyId(OLD) }, claims, NEW)),
    401,
    'kid of the previous key, signed with the current one',
  )
  t.equal(
    await me(rotating, `${part({ alg: 'none', typ: 'JWT', kid: jwtKeyId(NEW) })}.${part(claims)}.`),
    401,
    'alg none, empty signature',
  )
  t.equal(
    await me(rotating, forge({ alg: 'none', typ: 'JWT', kid: jwtKeyId(NEW) }, claims, NEW)),
    401,
    'alg none, with a signature',
  )
  t.equal(
    await me(rotating, forge({ ...good, alg: 'RS256' }, claims, NEW)),
    401,
    'RS256 header over an HMAC with the secret (key confusion)',
  )
  t.equal(await me(rotating, forge({ ...good, alg: 'HS512' }, claims, NEW)), 401, 'another HMAC algorithm')
  const noExp = Object.fromEntries(Object.entries(claims).filter(([name]) => name !== 'exp'))
  t.equal(await me(rotating, forge(good, noExp, NEW)), 401, 'no exp')
  t.equal(await me(rotating, forge(good, { ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, NEW)), 401, 'expired')
})

t.test('the codec alone: rotation and refusals name their reason', async (t) => {
  const old = createJwtCodec({ keys: { current: OLD }, accessTokenTtl: 60 })
  const both = createJwtCodec({ keys: { current: NEW, previous: OLD }, accessTokenTtl: 60 })
  const token = old.sign({ sub: 's' })
  t.match(both.verify(token), { sub: 's' })
  t.throws(() => createJwtCodec({ keys: { current: NEW }, accessTokenTtl: 60 }).verify(token), /no key with id/)
  t.throws(() => both.verify(forge({ alg: 'HS256' }, { sub: 's', exp: 9e9 }, NEW)), /no key id/)
  t.throws(
    () => both.verify(forge({ alg: 'none', kid: jwtKeyId(NEW) }, { sub: 's', exp: 9e9 }, NEW)),
    /algorithm "none"/,
  )
  const claims = new Map<string, unknown>(Object.entries(Object(both.verify(both.sign({ sub: 's' })))))
  t.equal(Number(claims.get('exp')) - Number(claims.get('iat')), 60, 'exp = iat + the access-token TTL in seconds')
})
