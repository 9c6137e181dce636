import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createOrg, createUser, loginAs } from '../helper.js'
import { bearer, buildIdentityApp } from './fixtures.js'

// Who asks: anonymous, a viewer, a publisher and an org-admin of organization A, a platform admin, and a
// publisher and an org-admin of organization B acting on A's resources (cross-organization attempts). Expected
// statuses are written out by hand: this table is the specification the permission table and the services'
// organization scope are checked against, not derived from them.
const WHO = ['anonymous', 'viewer', 'publisher', 'orgAdmin', 'admin', 'other', 'otherAdmin'] as const
type Who = (typeof WHO)[number]
type Expected = [number, number, number, number, number, number, number]

t.test('RBAC matrix: every identity/trust/feed route × every kind of caller', async (t) => {
  // The feed rows' config names a local address, which the egress policy admits only when told to.
  const { app, knex } = await buildIdentityApp(t, { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' })
  const orgA = await createOrg(knex, 'Org A')
  const orgB = await createOrg(knex, 'Org B')
  const orgC = await createOrg(knex, 'Org C')
  const platform = await createOrg(knex, 'Platform')
  const users = {
    viewer: await createUser(app, { orgId: orgA, role: 'viewer' }),
    publisher: await createUser(app, { orgId: orgA, role: 'publisher' }),
    orgAdmin: await createUser(app, { orgId: orgA, role: 'org-admin' }),
    admin: await createUser(app, { orgId: platform, role: 'admin' }),
    other: await createUser(app, { orgId: orgB, role: 'publisher' }),
    otherAdmin: await createUser(app, { orgId: orgB, role: 'org-admin' }),
  }
  const tokens: Partial<Record<Who, string>> = {}
  for (const who of WHO) if (who !== 'anonymous') tokens[who] = await loginAs(app, users[who])
  const [level] = await knex('trust_levels').where({ level: 3 }).select('id')
  const [relAC] = await knex('trust_relationships')
    .insert({ trustor_org_id: orgA, trustee_org_id: orgC, trust_level_id: level.id })
    .returning('id')
  const [collectionA] = await knex('collections').insert({ organization_id: orgA, title: 'A intel' }).returning('id')
  const unique = () => randomBytes(4).toString('hex')
  const freshOrg = () => createOrg(knex, `Fresh ${unique()}`)
  const freshLevel = async () =>
    (
      await knex('trust_levels')
        .insert({ name: `L ${unique()}`, level: 2, anonymization_level: 'high' })
        .returning('id')
    )[0].id
  const freshRelationship = async () =>
    (
      await knex('trust_relationships')
        .insert({ trustor_org_id: orgA, trustee_org_id: await freshOrg(), trust_level_id: level.id })
        .returning('id')
    )[0].id
  const viewerKey = async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(tokens.viewer as string),
      payload: { name: unique() },
    })
    return res.json().apiKey.id
  }
  const freshViewer = async () => (await createUser(app, { orgId: orgA, role: 'viewer' })).id
  const feedConfig = { url: 'http://127.0.0.1:9/bundle.json' }
  const freshFeed = async () =>
    (
      await knex('feeds')
        .insert({
          organization_id: orgA,
          collection_id: collectionA.id,
          name: `F ${unique()}`,
          source_plugin: 'stix-bundle',
          config: feedConfig,
        })
        .returning('id')
    )[0].id
  const feedA = await freshFeed()

  type Row = {
    method: string
    url: () => Promise<string> | string
    body?: () => Promise<object> | object
    expect: Expected
    freshLogin?: boolean
  }
  const row = (method: string, url: Row['url'], expect: Expected, body?: Row['body'], freshLogin?: boolean): Row => ({
    method,
    url,
    expect,
    body,
    freshLogin,
  })
  const newUser = (organizationId: string, role: string) => () => ({
    organizationId,
    email: `n-${unique()}@example.test`,
    role,
    password: 'Tangerine-Wombat-73!',
  })

  //                                                                                  anon viewer publ orgAdm admin other otherAdm
  const table: Row[] = [
    row('GET', () => '/api/v1/plugins', [401, 403, 403, 403, 200, 403, 403]),
    row(
      'POST',
      () => '/api/v1/auth/login',
      [401, 401, 401, 401, 401, 401, 401],
      () => ({ email: `nobody-${unique()}@example.test`, password: 'Wrong-password-00!' }),
    ),
    row(
      'POST',
      () => '/api/v1/auth/refresh',
      [401, 401, 401, 401, 401, 401, 401],
      () => ({ refreshToken: 'not-a-token' }),
    ),
    row('POST', () => '/api/v1/auth/logout', [401, 204, 204, 204, 204, 204, 204], undefined, true),
    row('GET', () => '/api/v1/api-keys', [401, 200, 200, 200, 200, 200, 200]),
    row(
      'POST',
      () => '/api/v1/api-keys',
      [401, 201, 201, 201, 201, 201, 201],
      () => ({ name: 'matrix' }),
    ),
    row('DELETE', async () => `/api/v1/api-keys/${await viewerKey()}`, [401, 204, 404, 204, 204, 404, 404]),
    row('GET', () => `/api/v1/users/${users.viewer.id}/api-keys`, [401, 403, 403, 200, 200, 403, 404]),
    row('GET', () => `/api/v1/users/${users.admin.id}/api-keys`, [401, 403, 403, 404, 200, 403, 404]),
    row('GET', () => '/api/v1/organizations', [401, 200, 200, 200, 200, 200, 200]),
    row(
      'POST',
      () => '/api/v1/organizations',
      [401, 403, 403, 403, 201, 403, 403],
      () => ({ name: `New ${unique()}` }),
    ),
    row('GET', () => `/api/v1/organizations/${orgA}`, [401, 200, 200, 200, 200, 200, 200]),
    row(
      'PATCH',
      () => `/api/v1/organizations/${orgA}`,
      [401, 403, 403, 403, 200, 403, 403],
      () => ({ description: unique() }),
    ),
    row('DELETE', async () => `/api/v1/organizations/${await freshOrg()}`, [401, 403, 403, 403, 204, 403, 403]),
    row('GET', () => `/api/v1/organizations/${orgA}/members`, [401, 200, 200, 200, 200, 403, 403]),
    row('GET', () => '/api/v1/users', [401, 403, 403, 200, 200, 403, 200]),
    row('POST', () => '/api/v1/users', [401, 403, 403, 201, 201, 403, 403], newUser(orgA, 'viewer')),
    row('POST', () => '/api/v1/users', [401, 403, 403, 201, 201, 403, 403], newUser(orgA, 'org-admin')),
    row('POST', () => '/api/v1/users', [401, 403, 403, 403, 201, 403, 403], newUser(orgA, 'admin')),
    row('POST', () => '/api/v1/users', [401, 403, 403, 403, 201, 403, 201], newUser(orgB, 'viewer')),
    row('GET', () => '/api/v1/users/me', [401, 200, 200, 200, 200, 200, 200]),
    row(
      'PATCH',
      () => '/api/v1/users/me',
      [401, 200, 200, 200, 200, 200, 200],
      () => ({ displayName: 'Renamed' }),
    ),
    row(
      'POST',
      () => '/api/v1/users/me/password',
      [401, 400, 400, 400, 400, 400, 400],
      () => ({ oldPassword: 'Not-my-password-11!', newPassword: 'Tangerine-Wombat-73!' }),
    ),
    row(
      'POST',
      async () => `/api/v1/users/${await freshViewer()}/password`,
      [401, 403, 403, 204, 204, 403, 404],
      () => ({ password: 'Tangerine-Wombat-73!' }),
    ),
    row('GET', () => `/api/v1/users/${users.viewer.id}`, [401, 200, 403, 200, 200, 403, 404]),
    row('GET', () => `/api/v1/users/${users.admin.id}`, [401, 403, 403, 404, 200, 403, 404]),
    row(
      'PATCH',
      () => `/api/v1/users/${users.viewer.id}`,
      [401, 200, 403, 200, 200, 403, 404],
      () => ({ displayName: 'Viewer' }),
    ),
    row(
      'PATCH',
      async () => `/api/v1/users/${await freshViewer()}`,
      [401, 403, 403, 200, 200, 403, 404],
      () => ({ role: 'publisher' }),
    ),
    row(
      'PATCH',
      async () => `/api/v1/users/${await freshViewer()}`,
      [401, 403, 403, 200, 200, 403, 404],
      () => ({ isActive: false }),
    ),
    row(
      'PATCH',
      async () => `/api/v1/users/${await freshViewer()}`,
      [401, 403, 403, 403, 200, 403, 403],
      () => ({ role: 'admin' }),
    ),
    row(
      'PATCH',
      async () => `/api/v1/users/${await freshViewer()}`,
      [401, 403, 403, 403, 200, 403, 404],
      () => ({ organizationId: orgB }),
    ),
    row(
      'PATCH',
      () => `/api/v1/users/${users.admin.id}`,
      [401, 403, 403, 404, 200, 403, 404],
      () => ({ displayName: 'Root' }),
    ),
    row('GET', () => '/api/v1/trust-levels', [401, 200, 200, 200, 200, 200, 200]),
    row(
      'POST',
      () => '/api/v1/trust-levels',
      [401, 403, 403, 403, 201, 403, 403],
      () => ({ name: `T ${unique()}`, level: 4, anonymizationLevel: 'low' }),
    ),
    row('GET', () => `/api/v1/trust-levels/${level.id}`, [401, 200, 200, 200, 200, 200, 200]),
    row(
      'PATCH',
      async () => `/api/v1/trust-levels/${await freshLevel()}`,
      [401, 403, 403, 403, 200, 403, 403],
      () => ({ description: 'changed' }),
    ),
    row('DELETE', async () => `/api/v1/trust-levels/${await freshLevel()}`, [401, 403, 403, 403, 204, 403, 403]),
    row('GET', () => '/api/v1/trust-relationships', [401, 200, 200, 200, 200, 200, 200]),
    row(
      'POST',
      () => '/api/v1/trust-relationships',
      [401, 403, 201, 201, 201, 403, 403],
      async () => ({ trustorOrganizationId: orgA, trusteeOrganizationId: await freshOrg(), trustLevelId: level.id }),
    ),
    row('GET', () => `/api/v1/trust-relationships/${relAC.id}`, [401, 200, 200, 200, 200, 404, 404]),
    row(
      'PATCH',
      () => `/api/v1/trust-relationships/${relAC.id}`,
      [401, 403, 200, 200, 200, 404, 404],
      () => ({ notes: unique() }),
    ),
    row(
      'DELETE',
      async () => `/api/v1/trust-relationships/${await freshRelationship()}`,
      [401, 403, 204, 204, 204, 404, 404],
    ),
    row('GET', () => '/api/v1/feeds', [401, 403, 200, 200, 200, 200, 200]),
    row(
      'POST',
      () => '/api/v1/feeds',
      [401, 403, 201, 201, 201, 403, 403],
      () => ({
        name: `F ${unique()}`,
        source: 'stix-bundle',
        organizationId: orgA,
        collectionId: collectionA.id,
        config: feedConfig,
      }),
    ),
    row('GET', () => `/api/v1/feeds/${feedA}`, [401, 403, 200, 200, 200, 404, 404]),
    row(
      'PATCH',
      () => `/api/v1/feeds/${feedA}`,
      [401, 403, 200, 200, 200, 404, 404],
      () => ({ schedule: null }),
    ),
    row('DELETE', async () => `/api/v1/feeds/${await freshFeed()}`, [401, 403, 204, 204, 204, 404, 404]),
    row('GET', () => '/api/v1/audit', [401, 403, 403, 403, 200, 403, 403]),
  ]

  for (const r of table) {
    const got: number[] = []
    for (const who of WHO) {
      const token = who === 'anonymous' ? undefined : r.freshLogin ? await loginAs(app, users[who]) : tokens[who]
      const res = await app.inject({
        method: r.method as 'GET',
        url: await r.url(),
        headers: token ? { authorization: `Bearer ${token}` } : {},
        // One address per caller: the failed-login row must not lock out the address logins come from.
        remoteAddress: `10.0.0.${WHO.indexOf(who) + 1}`,
        ...(r.body ? { payload: await r.body() } : {}),
      })
      got.push(res.statusCode)
    }
    t.same(got, r.expect, `${r.method} ${await r.url()} → ${WHO.join('/')}`)
  }

  const denials = await knex('audit_log').where({ action: 'permission.denied' }).count({ n: '*' })
  t.ok(Number(denials[0].n) >= 40, 'every 403 is audited as a permission denial')
})
