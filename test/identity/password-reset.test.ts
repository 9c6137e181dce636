import t from 'tap'
import { buildTestApp, createOrg, createUser, loginAs } from '../helper.js'

t.test("an admin resets a user's password: policy enforced, old sessions end, audited", async (t) => {
  const { app, knex } = await buildTestApp(t)
  const orgId = await createOrg(knex, 'Org')
  const admin = await loginAs(app, await createUser(app, { orgId, role: 'admin' }))
  const user = await createUser(app, { orgId, role: 'viewer' })
  const userToken = await loginAs(app, user)
  const reset = (password: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/users/${user.id}/password`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { password },
    })

  const weak = await reset('password1234')
  t.equal(weak.statusCode, 400)
  t.equal(weak.json().error.code, 'CRISP_PASSWORD_POLICY')
  t.equal(
    (await app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${userToken}` } })).statusCode,
    200,
    'a refused reset changes nothing',
  )

  t.equal((await reset('Quartz-Falcon-2084!')).statusCode, 204)
  t.equal(
    (await app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${userToken}` } })).statusCode,
    401,
    'the old token dies at once',
  )
  t.ok(await loginAs(app, { email: user.email, password: 'Quartz-Falcon-2084!' }), 'the new password works')
  const entry = await knex('audit_log').where({ action: 'user.password_reset', target_id: user.id }).first()
  t.ok(entry, 'audited')
  t.notMatch(JSON.stringify(entry), /Quartz-Falcon/, 'the password is not in the audit log')
})
