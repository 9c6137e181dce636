import t from 'tap'
import { createOrg, createUser } from '../helper.js'
import { bearer, buildIdentityApp, login } from './fixtures.js'

t.test('failed logins: 5 per 5 minutes per IP and per account, then 429 with Retry-After', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const victim = await createUser(app, { orgId: org, role: 'viewer' })
  const bystander = await createUser(app, { orgId: org, role: 'viewer' })

  // Per account: five wrong passwords from five addresses lock the account, even for the right password.
  for (let i = 0; i < 5; i++)
    t.equal((await login(app, victim.email, 'Wrong-Password-11!', `10.1.0.${i}`)).res.statusCode, 401)
  const locked = await login(app, victim.email, victim.password, '10.1.0.99')
  t.equal(locked.res.statusCode, 429)
  t.equal(locked.res.json().error.code, 'CRISP_AUTH_TOO_MANY_FAILURES')
  const retry = Number(locked.res.headers['retry-after'])
  t.ok(retry > 0 && retry <= 300, `Retry-After ${retry}`)
  t.equal(
    (await login(app, bystander.email, bystander.password, '10.1.0.99')).res.statusCode,
    200,
    'other accounts unaffected',
  )

  // Per IP: five failures against different accounts lock the address.
  for (let i = 0; i < 5; i++) await login(app, `nobody${i}@example.test`, 'Wrong-Password-11!', '10.2.0.1')
  const ipLocked = await login(app, bystander.email, bystander.password, '10.2.0.1')
  t.equal(ipLocked.res.statusCode, 429)
  t.ok(ipLocked.res.headers['retry-after'])

  const failures = await knex('audit_log').where({ action: 'auth.login', outcome: 'failure' })
  t.ok(failures.length >= 10, 'failures audited')
  t.ok(
    failures.every((f) => f.ip && f.actor_email),
    'with the IP and the email tried',
  )
})

t.test(
  'rate limits: per anonymous IP and per principal, standard headers, health exempt, failed auth counts',
  async (t) => {
    const { app, knex } = await buildIdentityApp(t, {
      CRISP_RATE_LIMIT_ANONYMOUS: '3',
      CRISP_RATE_LIMIT_AUTHENTICATED: '5',
    })
    const user = await createUser(app, { orgId: await createOrg(knex, 'A'), role: 'viewer' })
    const { accessToken } = await login(app, user.email, user.password, '10.3.0.1') // 1 anonymous request from 10.3.0.1

    const anon = (headers: Record<string, string> = {}) =>
      app.inject({ url: '/api/v1/trust-levels', headers, remoteAddress: '10.3.0.1' })
    t.equal((await anon({ authorization: 'Bearer not-a-valid-token' })).statusCode, 401, 'failed authentication…')
    const third = await anon()
    t.equal(third.headers['x-ratelimit-limit'], '3')
    t.equal(third.headers['x-ratelimit-remaining'], '0', '…counted against the address')
    const limited = await anon()
    t.equal(limited.statusCode, 429)
    t.equal(limited.json().error.code, 'CRISP_RATE_LIMITED')
    t.ok(limited.headers['retry-after'])
    t.equal(limited.headers['x-content-type-options'], 'nosniff', 'security headers on error responses too')
    for (let i = 0; i < 5; i++)
      t.equal((await app.inject({ url: '/healthz', remoteAddress: '10.3.0.1' })).statusCode, 200, 'healthz exempt')

    const authed = () =>
      app.inject({ url: '/api/v1/trust-levels', headers: bearer(accessToken), remoteAddress: '10.3.0.1' })
    const codes = []
    for (let i = 0; i < 6; i++) codes.push((await authed()).statusCode)
    t.same(codes, [200, 200, 200, 200, 200, 429], 'a principal has its own, larger budget')
  },
)
