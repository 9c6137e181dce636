import t from 'tap'
import { createOrg, createUser, loginAs } from '../helper.js'
import { bearer, buildIdentityApp } from './fixtures.js'

t.test('organizations, users, trust: conflicts, paging, audit before → after', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const admin = await createUser(app, { orgId: org, role: 'admin' })
  const headers = bearer(await loginAs(app, admin))
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) })

  const b = (await api('POST', '/organizations', { name: 'Org B', contactEmail: 'soc@b.test' })).json()
  t.equal((await api('POST', '/organizations', { name: 'Org B' })).statusCode, 409, 'duplicate name')
  const patched = await api('PATCH', `/organizations/${b.id}`, { description: 'CERT' })
  t.equal(patched.json().description, 'CERT')
  const change = await knex('audit_log').where({ action: 'organization.update', target_id: b.id }).first()
  t.match(change?.details, { before: { description: '' }, after: { description: 'CERT' } })
  t.equal(change?.actor_user_id, admin.id)

  for (let i = 0; i < 5; i++) await createUser(app, { orgId: b.id, role: 'viewer' })
  t.equal((await api('DELETE', `/organizations/${b.id}`)).statusCode, 409, 'organization with users')
  const seen = new Set<string>()
  let cursor: string | null = null
  let pages = 0
  do {
    const page: { items: { id: string }[]; nextCursor: string | null } = (
      await api('GET', `/organizations/${b.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    ).json()
    for (const u of page.items) seen.add(u.id)
    cursor = page.nextCursor
    pages++
  } while (cursor)
  t.equal(seen.size, 5, 'cursor paging visits every member once')
  t.equal(pages, 3)
  const viewers = (await api('GET', `/users?organizationId=${b.id}&role=viewer&limit=500`)).json()
  t.equal(viewers.items.length, 5)
  t.notOk(JSON.stringify(viewers).includes('scrypt'), 'no hashes in user lists')

  const level = (await api('POST', '/trust-levels', { name: 'Partners', level: 4, anonymizationLevel: 'low' })).json()
  const rel = await api('POST', '/trust-relationships', {
    trustorOrganizationId: org,
    trusteeOrganizationId: b.id,
    trustLevelId: level.id,
  })
  t.equal(rel.statusCode, 201)
  t.equal(
    (
      await api('POST', '/trust-relationships', {
        trustorOrganizationId: org,
        trusteeOrganizationId: b.id,
        trustLevelId: level.id,
      })
    ).statusCode,
    409,
  )
  t.equal(
    (
      await api('POST', '/trust-relationships', {
        trustorOrganizationId: org,
        trusteeOrganizationId: org,
        trustLevelId: level.id,
      })
    ).statusCode,
    400,
    'no self-trust',
  )
  const inUse = await api('DELETE', `/trust-levels/${level.id}`)
  t.equal(inUse.statusCode, 409)
  t.equal(inUse.json().error.code, 'CRISP_TRUST_LEVEL_IN_USE')
  t.equal((await api('DELETE', `/trust-relationships/${rel.json().id}`)).statusCode, 204)
  t.equal((await api('DELETE', `/trust-levels/${level.id}`)).statusCode, 204, 'deletable once unused')

  const viewer = await createUser(app, { orgId: org, role: 'viewer' })
  const vh = bearer(await loginAs(app, viewer))
  const selfRole = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${viewer.id}`,
    headers: vh,
    payload: { role: 'admin' },
  })
  t.equal(selfRole.statusCode, 403, 'no self-promotion')
  const wrongOld = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/password',
    headers: vh,
    payload: { oldPassword: 'Nope-Nope-1234!', newPassword: 'Quartz-Lantern-58?' },
  })
  t.equal(wrongOld.json().error.code, 'CRISP_PASSWORD_OLD_MISMATCH')
  t.equal(
    (
      await api('POST', '/users', {
        organizationId: org,
        email: viewer.email.toUpperCase(),
        role: 'viewer',
        password: 'Tangerine-Wombat-73!',
      })
    ).statusCode,
    409,
    'email taken, case-insensitive',
  )
})

t.test('audit log: filters, cursor, append-only', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  const org = await createOrg(knex, 'A')
  const admin = await createUser(app, { orgId: org, role: 'admin' })
  const viewer = await createUser(app, { orgId: org, role: 'viewer' })
  const headers = bearer(await loginAs(app, admin))
  await app.inject({ url: '/api/v1/audit', headers: bearer(await loginAs(app, viewer)) }) // a denial
  const get = async (q: string) => (await app.inject({ url: `/api/v1/audit?${q}`, headers })).json()

  const denied = await get('action=permission.denied')
  t.equal(denied.items.length, 1)
  t.equal(denied.items[0].actorUserId, viewer.id)
  t.equal((await get('action=auth.*')).items.length, 2, 'prefix filter')
  t.equal((await get(`actor=${viewer.email}`)).items.length, 2, 'by actor email: login + denial')
  t.equal((await get(`actor=${viewer.id}&action=auth.login`)).items.length, 1)
  t.equal((await get(`target=${viewer.id}`)).items[0].action, 'user.create')
  t.equal((await get(`from=${new Date(Date.now() + 60_000).toISOString()}`)).items.length, 0)
  const all = await get('limit=500')
  const firstPage = await get('limit=2')
  const second = await get(`limit=2&cursor=${firstPage.nextCursor}`)
  t.same(
    [...firstPage.items, ...second.items].map((e: { id: string }) => e.id),
    all.items.slice(0, 4).map((e: { id: string }) => e.id),
  )

  await t.rejects(knex('audit_log').update({ action: 'x' }), /append-only/)
  await t.rejects(knex('audit_log').delete(), /append-only/)
  const routes = app.printRoutes({ commonPrefix: false })
  t.notMatch(routes, /audit.*\((PUT|PATCH|DELETE)/, 'no route changes the audit log')
})
