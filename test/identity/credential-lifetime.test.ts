import t from 'tap'
import { createHmac } from 'node:crypto'
import { createOrg, createUser, loginAs } from '../helper.js'
import { bearer, buildIdentityApp, login } from './fixtures.js'
import { jwtKeyId } from '../../core/identity/jwt-keys.js'

const me = (app: Awaited<ReturnType<typeof buildIdentityApp>>['app'], headers: Record<string, string>) =>
  app.inject({ url: '/api/v1/users/me', headers }).then((r) => r.statusCode)

/** An HS256 JWT over `claims`, signed with the platform's secret (and naming it by its kid). */
function signJwt(secret: string, claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT', kid: jwtKeyId(secret) })}.${part(claims)}`
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`
}

t.test('an access token without exp is refused, even signed with the platform secret', async (t) => {
  const { app, knex, config } = await buildIdentityApp(t)
  const user = await createUser(app, { orgId: await createOrg(knex, 'A'), role: 'viewer' })
  const issued = await loginAs(app, user)
  const { sub, sid, tv, iat } = JSON.parse(Buffer.from(issued.split('.')[1], 'base64url').toString())
  t.equal(
    await me(app, bearer(signJwt(config.secrets.jwt, { sub, sid, tv, iat, exp: iat + 600 }))),
    200,
    'the same claims with exp work',
  )
  const res = await app.inject({
    url: '/api/v1/users/me',
    headers: bearer(signJwt(config.secrets.jwt, { sub, sid, tv, iat })),
  })
  t.equal(res.statusCode, 401)
  t.match(res.json().error.message, /invalid or expired/)
})

t.test("deactivation revokes the user's API keys: reactivation does not bring them back", async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const admin = bearer(await loginAs(app, await createUser(app, { orgId: org, role: 'admin' })))
  const user = await createUser(app, { orgId: org, role: 'publisher' })
  const token = await loginAs(app, user)
  const { key, apiKey } = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(token),
      payload: { name: 'taxii client' },
    })
  ).json()
  t.equal(await me(app, bearer(key)), 200, 'the key works (and is cached)')

  const setActive = (isActive: boolean) =>
    app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { isActive } })
  t.equal((await setActive(false)).statusCode, 200)
  t.equal(await me(app, bearer(key)), 401)
  t.equal((await setActive(true)).statusCode, 200)
  const fresh = await login(app, user.email, user.password)
  t.equal(fresh.res.statusCode, 200, 'the account itself is back')
  t.equal(await me(app, bearer(key)), 401, 'its old key is not')
  const listed = (await app.inject({ url: '/api/v1/api-keys', headers: bearer(fresh.accessToken) })).json().items
  t.match(listed, [{ id: apiKey.id, revokedAt: /^\d{4}-/ }], 'the key shows as revoked')
  const another = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(fresh.accessToken),
      payload: { name: 'new' },
    })
  ).json().key
  t.equal(await me(app, bearer(another)), 200, 'a new key works')
})
