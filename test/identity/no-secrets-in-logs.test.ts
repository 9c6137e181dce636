import t from 'tap'
import { createOrg, createUser } from '../helper.js'
import { basic, bearer, buildIdentityApp, login } from './fixtures.js'

t.test('a whole login / refresh / API-key session logs no password, hash, token or key', async (t) => {
  const { app, knex, logs } = await buildIdentityApp(t, { LOG_LEVEL: 'trace' })
  const org = await createOrg(knex, 'A')
  const user = await createUser(app, { orgId: org, role: 'publisher' })
  const newPassword = 'Marigold-Pylon-84$'
  const secrets: string[] = [user.password, newPassword, 'Wrong-Password-77!']

  const first = await login(app, user.email, user.password)
  await login(app, user.email, 'Wrong-Password-77!')
  const refreshed = (
    await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: first.refreshToken } })
  ).json()
  const reuse = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/refresh',
    payload: { refreshToken: first.refreshToken },
  })
  t.equal(reuse.statusCode, 401)
  const s = await login(app, user.email, user.password)
  const created = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(s.accessToken),
      payload: { name: 'k' },
    })
  ).json()
  await app.inject({ url: '/api/v1/users/me', headers: bearer(created.key) })
  await app.inject({ url: '/api/v1/users/me', headers: basic(user.email, created.key) })
  await app.inject({ url: '/api/v1/users/me', headers: basic(user.email, user.password) })
  await app.inject({ url: '/api/v1/users/me', headers: bearer(`${created.key}x`) })
  await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: bearer(s.accessToken),
    payload: { oldPassword: user.password, newPassword },
  })
  await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: `{"email":"${user.email}","password":"${newPassword}"`,
  }) // malformed JSON echo
  const last = await login(app, user.email, newPassword)
  await app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: bearer(last.accessToken),
    payload: { refreshToken: last.refreshToken },
  })
  await app.inject({
    method: 'DELETE',
    url: `/api/v1/api-keys/${created.apiKey.id}`,
    headers: bearer(last.accessToken),
  })

  secrets.push(
    first.accessToken,
    first.refreshToken,
    refreshed.accessToken,
    refreshed.refreshToken,
    s.accessToken,
    s.refreshToken,
    last.accessToken,
    last.refreshToken,
    created.key,
    created.key.split('_').slice(2).join('_'),
  )
  const dbSecrets = [
    ...(await knex('users').select('password_hash')).map((r) => r.password_hash as string),
    ...(await knex('refresh_tokens').select('token_hash')).map((r) => r.token_hash as string),
    ...(await knex('api_keys').select('key_hash')).map((r) => r.key_hash as string),
  ]
  secrets.push(...dbSecrets, ...dbSecrets.map((h) => h.split('$').pop() as string))
  const text = logs.join('')
  t.ok(logs.length > 20, `${logs.length} log lines captured`)
  for (const secret of secrets) t.notOk(text.includes(secret), `not logged: ${secret.slice(0, 6)}…`)
  const audit = JSON.stringify(await knex('audit_log').select('*'))
  for (const secret of secrets) t.notOk(audit.includes(secret), `not audited: ${secret.slice(0, 6)}…`)
})
