import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createOrg, createUser, loginAs } from '../helper.js'
import { basic, bearer, buildIdentityApp, login } from './fixtures.js'

const me = (app: Awaited<ReturnType<typeof buildIdentityApp>>['app'], headers: Record<string, string>) =>
  app.inject({ url: '/api/v1/users/me', headers }).then((r) => r.statusCode)

t.test('access tokens expire', async (t) => {
  const { app, knex } = await buildIdentityApp(t, { CRISP_ACCESS_TOKEN_TTL: '1' })
  const user = await createUser(app, { orgId: await createOrg(knex, 'A'), role: 'viewer' })
  const { accessToken, res } = await login(app, user.email, user.password)
  t.equal(res.json().expiresIn, 1)
  t.equal(await me(app, bearer(accessToken)), 200)
  await sleep(2100)
  const expired = await app.inject({ url: '/api/v1/users/me', headers: bearer(accessToken) })
  t.equal(expired.statusCode, 401)
  t.match(expired.json().error.message, /invalid or expired/)
})

t.test('refresh rotates; reusing a rotated token revokes the whole family and is audited', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const user = await createUser(app, { orgId: await createOrg(knex, 'A'), role: 'viewer' })
  const first = await login(app, user.email, user.password)
  const refresh = (token: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: token } })
  const second = await refresh(first.refreshToken)
  t.equal(second.statusCode, 200)
  t.not(second.json().refreshToken, first.refreshToken, 'a new refresh token')
  t.equal(await me(app, bearer(second.json().accessToken)), 200)
  const other = await login(app, user.email, user.password) // another session must survive the reuse

  const reuse = await refresh(first.refreshToken)
  t.equal(reuse.statusCode, 401, 'the rotated token is dead')
  t.equal((await refresh(second.json().refreshToken)).statusCode, 401, 'the newest token of the family died with it')
  t.equal(await me(app, bearer(second.json().accessToken)), 401, 'access tokens of the family die at once')
  t.equal(await me(app, bearer(other.accessToken)), 200, 'other sessions are untouched')
  const audit = await knex('audit_log').where({ action: 'auth.refresh_token_reuse' })
  t.equal(audit.length, 1)
  t.equal(audit[0].actor_user_id, user.id)
  t.equal((await refresh('never-issued')).statusCode, 401)
})

t.test('logout ends the session at once', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const user = await createUser(app, { orgId: await createOrg(knex, 'A'), role: 'viewer' })
  const s = await login(app, user.email, user.password)
  const out = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(s.accessToken) })
  t.equal(out.statusCode, 204)
  t.equal(await me(app, bearer(s.accessToken)), 401)
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: s.refreshToken } })
  t.equal(r.statusCode, 401)
  t.equal((await knex('audit_log').where({ action: 'auth.logout' })).length, 1)

  const a = await login(app, user.email, user.password)
  const b = await login(app, user.email, user.password)
  await app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: bearer(a.accessToken),
    payload: { everywhere: true },
  })
  t.equal(await me(app, bearer(b.accessToken)), 401, 'logout everywhere ends the other sessions too')
})

t.test('deactivation and password change take effect at once on every credential', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const admin = await createUser(app, { orgId: org, role: 'admin' })
  const user = await createUser(app, { orgId: org, role: 'publisher' })
  const adminToken = await loginAs(app, admin)
  const token = await loginAs(app, user)
  const key = (
    await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(token), payload: { name: 'k' } })
  ).json().key
  t.equal(await me(app, bearer(key)), 200, 'key works (and is now cached)')
  t.equal(await me(app, basic(user.email, user.password)), 200)

  const changed = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: bearer(token),
    payload: { oldPassword: user.password, newPassword: 'Quartz-Lantern-58?' },
  })
  t.equal(changed.statusCode, 204)
  t.equal(await me(app, bearer(token)), 401, 'old access token dies with the password change')
  t.equal(await me(app, basic(user.email, user.password)), 401, 'old password refused')
  const fresh = await loginAs(app, { email: user.email, password: 'Quartz-Lantern-58?' })

  const off = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${user.id}`,
    headers: bearer(adminToken),
    payload: { isActive: false },
  })
  t.equal(off.statusCode, 200)
  t.equal(await me(app, bearer(fresh)), 401, 'JWT refused once deactivated')
  t.equal(await me(app, bearer(key)), 401, 'cached API key refused once deactivated')
  t.equal((await login(app, user.email, 'Quartz-Lantern-58?')).res.statusCode, 401)
  t.equal((await knex('audit_log').where({ action: 'user.deactivate', target_id: user.id })).length, 1)
})

t.test('API keys: Bearer, HTTP Basic with the owner email, revocation at once', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const user = await createUser(app, { orgId: org, role: 'viewer' })
  const other = await createUser(app, { orgId: org, role: 'viewer' })
  const token = await loginAs(app, user)
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: bearer(token),
    payload: { name: 'taxii client' },
  })
  const { key, apiKey } = created.json()
  t.match(key, /^crisp_[0-9a-f]{12}_[\w-]{43}$/)
  t.equal(key.split('_')[1], apiKey.prefix, 'visible prefix')
  const row = await knex('api_keys').where({ id: apiKey.id }).first()
  t.not(row?.key_hash, key)
  t.notOk(JSON.stringify(row).includes(key.split('_').slice(2).join('_')), 'the secret is not stored')

  t.equal(await me(app, bearer(key)), 200)
  t.equal(await me(app, basic(user.email, key)), 200, 'HTTP Basic: email + key (TAXII clients)')
  t.equal(await me(app, basic(other.email, key)), 401, "someone else's email is refused")
  t.equal(await me(app, { 'x-api-key': key }), 200)
  t.equal(await me(app, bearer(`${key.slice(0, -1)}x`)), 401, 'a wrong secret is refused')
  const list = await app.inject({ url: '/api/v1/api-keys', headers: bearer(token) })
  t.same(
    list.json().items.map((k: { id: string }) => k.id),
    [apiKey.id],
  )
  t.notOk(list.body.includes(key), 'the key is shown only once')
  await new Promise((r) => setTimeout(r, 50))
  t.ok((await knex('api_keys').where({ id: apiKey.id }).first())?.last_used_at, 'last use recorded')

  const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${apiKey.id}`, headers: bearer(token) })
  t.equal(revoked.statusCode, 204)
  t.equal(await me(app, bearer(key)), 401, 'revoked key refused at once despite the cache')
  t.equal(await me(app, basic(user.email, key)), 401)
  t.same(
    (await knex('audit_log').whereIn('action', ['api_key.create', 'api_key.revoke']).orderBy('id')).map(
      (a) => a.action,
    ),
    ['api_key.create', 'api_key.revoke'],
  )
})

t.test('HTTP Basic with email and password', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const user = await createUser(app, { orgId: await createOrg(knex, 'A'), role: 'viewer' })
  t.equal(await me(app, basic(user.email, user.password)), 200)
  t.equal(await me(app, basic(user.email.toUpperCase(), user.password)), 200, 'emails are case-insensitive')
  const bad = await app.inject({ url: '/api/v1/users/me', headers: basic(user.email, 'Wrong-Password-99!') })
  t.equal(bad.statusCode, 401)
  t.equal(bad.json().error.message, 'Invalid email or password')
  t.equal(await me(app, bearer('garbage')), 401)
})
