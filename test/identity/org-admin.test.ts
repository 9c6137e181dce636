import t from 'tap'
import { createOrg, createUser, loginAs } from '../helper.js'
import { bearer, buildIdentityApp } from './fixtures.js'

// What the RBAC matrix's status codes cannot show: which rows an org-admin gets, that refused changes leave
// the rows as they were, and that the database itself knows the role.
t.test('org-admin: its own organization, nothing outside it', async (t) => {
  const { app, knex } = await buildIdentityApp(t, { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' })
  const orgA = await createOrg(knex, 'Org A')
  const orgB = await createOrg(knex, 'Org B')
  const platform = await createOrg(knex, 'Platform')
  const orgAdmin = await createUser(app, { orgId: orgA, role: 'org-admin' })
  const viewerA = await createUser(app, { orgId: orgA, role: 'viewer' })
  const viewerB = await createUser(app, { orgId: orgB, role: 'viewer', email: 'bob@b.example' })
  const admin = await createUser(app, { orgId: platform, role: 'admin' })
  const headers = bearer(await loginAs(app, orgAdmin))
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, as = headers) =>
    app.inject({ method, url: `/api/v1${url}`, headers: as, ...(payload ? { payload } : {}) })
  const userRow = (id: string) => knex('users').where({ id }).first()

  await t.test("lists only its organization's users, whatever the query asks", async (t) => {
    const all = await call('GET', '/users?limit=500')
    t.equal(all.statusCode, 200)
    t.same(
      all
        .json()
        .items.map((u: { id: string }) => u.id)
        .sort(),
      [orgAdmin.id, viewerA.id].sort(),
      'exactly the users of org A',
    )
    t.same((await call('GET', `/users?organizationId=${orgB}`)).json().items, [], 'asking for org B gives nothing')
    t.same((await call('GET', '/users?email=bob@b.example')).json().items, [], 'nor does searching for a user of org B')
    const members = await call('GET', `/organizations/${orgB}/members`)
    t.equal(members.statusCode, 403, 'nor the members of org B')
  })

  await t.test('creates users in its organization, never a platform admin, never elsewhere', async (t) => {
    const password = 'Tangerine-Wombat-73!'
    const created = await call('POST', '/users', {
      organizationId: orgA,
      email: 'new.oa@a.example',
      role: 'org-admin',
      password,
    })
    t.equal(created.statusCode, 201, 'another org-admin of its own organization')
    const audit = await knex('audit_log').where({ action: 'user.create', target_id: created.json().id }).first()
    t.match(audit, { actor_user_id: orgAdmin.id, actor_org_id: orgA }, 'audited with the org-admin as actor')

    const asAdmin = await call('POST', '/users', {
      organizationId: orgA,
      email: 'root@a.example',
      role: 'admin',
      password,
    })
    t.match([asAdmin.statusCode, asAdmin.json().error.code], [403, 'CRISP_FORBIDDEN'])
    const inB = await call('POST', '/users', { organizationId: orgB, email: 'spy@b.example', role: 'viewer', password })
    t.equal(inB.statusCode, 403)
    t.notOk(await knex('users').whereIn('email', ['root@a.example', 'spy@b.example']).first(), 'neither user exists')
  })

  await t.test('cannot promote anyone, itself included, to admin, nor move a user out', async (t) => {
    t.equal((await call('PATCH', `/users/${orgAdmin.id}`, { role: 'admin' })).statusCode, 403, 'itself')
    t.equal((await call('PATCH', `/users/${viewerA.id}`, { role: 'admin' })).statusCode, 403, 'a member')
    t.equal((await call('PATCH', `/users/${viewerA.id}`, { organizationId: orgB })).statusCode, 403, 'a move to org B')
    t.match(await userRow(orgAdmin.id), { role: 'org-admin', organization_id: orgA })
    t.match(await userRow(viewerA.id), { role: 'viewer', organization_id: orgA })
    const promoted = await call('PATCH', `/users/${viewerA.id}`, { role: 'publisher', displayName: 'Vera' })
    t.match(
      [promoted.statusCode, promoted.json()],
      [200, { role: 'publisher', displayName: 'Vera', organizationId: orgA }],
      'roles below admin are its to give',
    )
  })

  await t.test("another organization's user is not found, and stays unchanged", async (t) => {
    for (const [method, url, payload] of [
      ['GET', `/users/${viewerB.id}`, undefined],
      ['PATCH', `/users/${viewerB.id}`, { isActive: false }],
      ['POST', `/users/${viewerB.id}/password`, { password: 'Tangerine-Wombat-73!' }],
      ['GET', `/users/${viewerB.id}/api-keys`, undefined],
    ] as const) {
      const res = await call(method, url, payload)
      t.match([res.statusCode, res.json().error.code], [404, 'CRISP_NOT_FOUND'], `${method} ${url}`)
    }
    t.match(await userRow(viewerB.id), { is_active: true, token_version: 0 })
  })

  await t.test('a platform admin in its organization is out of its reach', async (t) => {
    // An org-admin of the platform's own organization must not lock the platform admins out.
    const platformOrgAdmin = bearer(await loginAs(app, await createUser(app, { orgId: platform, role: 'org-admin' })))
    t.equal((await call('PATCH', `/users/${admin.id}`, { isActive: false }, platformOrgAdmin)).statusCode, 403)
    t.equal(
      (await call('POST', `/users/${admin.id}/password`, { password: 'Tangerine-Wombat-73!' }, platformOrgAdmin))
        .statusCode,
      403,
    )
    t.equal((await call('GET', `/users/${admin.id}/api-keys`, undefined, platformOrgAdmin)).statusCode, 404)
    t.match(await userRow(admin.id), { is_active: true, token_version: 0 })
  })

  await t.test("lists and revokes its users' API keys, not other organizations'", async (t) => {
    const keyOf = async (user: typeof viewerA) =>
      (await call('POST', '/api-keys', { name: 'ci' }, bearer(await loginAs(app, user)))).json()
    const a = await keyOf(viewerA)
    const b = await keyOf(viewerB)
    const listed = await call('GET', `/users/${viewerA.id}/api-keys`)
    t.same(
      listed.json().items.map((k: { id: string }) => k.id),
      [a.apiKey.id],
      "the member's key is listed, never its secret",
    )
    t.notMatch(listed.body, a.key)

    t.equal((await call('DELETE', `/api-keys/${b.apiKey.id}`)).statusCode, 404, "org B's key is not found")
    t.equal(
      (await app.inject({ url: '/api/v1/users/me', headers: { 'x-api-key': b.key } })).statusCode,
      200,
      'and still works',
    )
    t.equal((await call('DELETE', `/api-keys/${a.apiKey.id}`)).statusCode, 204)
    t.equal(
      (await app.inject({ url: '/api/v1/users/me', headers: { 'x-api-key': a.key } })).statusCode,
      401,
      'the revoked key stops at once',
    )
  })

  await t.test('manages trust as the trustor only', async (t) => {
    const [level] = await knex('trust_levels').where({ level: 3 }).select('id')
    const asTrustor = await call('POST', '/trust-relationships', {
      trusteeOrganizationId: orgB,
      trustLevelId: level.id,
    })
    t.match(
      [asTrustor.statusCode, asTrustor.json()],
      [201, { trustorOrganizationId: orgA, trusteeOrganizationId: orgB }],
    )
    t.equal(
      (
        await call('POST', '/trust-relationships', {
          trustorOrganizationId: orgB,
          trusteeOrganizationId: orgA,
          trustLevelId: level.id,
        })
      ).statusCode,
      403,
      'not for org B',
    )
    const [bTrustsA] = await knex('trust_relationships')
      .insert({ trustor_org_id: orgB, trustee_org_id: orgA, trust_level_id: level.id, notes: 'B' })
      .returning('id')
    t.equal(
      (await call('GET', `/trust-relationships/${bTrustsA.id}`)).statusCode,
      200,
      'it sees a relationship naming it as trustee',
    )
    t.equal(
      (await call('PATCH', `/trust-relationships/${bTrustsA.id}`, { notes: 'mine now' })).statusCode,
      403,
      'but does not change it',
    )
    t.equal((await knex('trust_relationships').where({ id: bTrustsA.id }).first())?.notes, 'B')
  })

  await t.test("lists and manages its organization's feeds only", async (t) => {
    const feed = async (orgId: string, name: string) => {
      const [collection] = await knex('collections')
        .insert({ organization_id: orgId, title: `${name} intel` })
        .returning('id')
      const [row] = await knex('feeds')
        .insert({
          organization_id: orgId,
          collection_id: collection.id,
          name,
          source_plugin: 'stix-bundle',
          config: { url: 'http://127.0.0.1:9/b.json' },
        })
        .returning('id')
      return row.id as string
    }
    const feedA = await feed(orgA, 'A nightly')
    const feedB = await feed(orgB, 'B nightly')
    t.same(
      (await call('GET', '/feeds')).json().items.map((f: { id: string }) => f.id),
      [feedA],
    )
    t.equal((await call('DELETE', `/feeds/${feedB}`)).statusCode, 404)
    t.equal((await call('PATCH', `/feeds/${feedA}`, { enabled: false })).json().enabled, false)
    t.ok(await knex('feeds').where({ id: feedB }).first(), "org B's feed is still there")
  })

  await t.test('the OpenAPI document lists the role wherever a role goes', async (t) => {
    const doc = (await app.inject('/docs/json')).json()
    const roleSchema = doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.properties.role
    t.same(
      roleSchema.anyOf.map((r: { const?: string; enum?: string[] }) => r.const ?? r.enum?.[0]),
      ['viewer', 'publisher', 'org-admin', 'admin'],
    )
    t.match(JSON.stringify(doc.paths['/api/v1/users'].get.parameters), /org-admin/, 'the list filter too')
  })

  await t.test('the database knows the role (migration 0050) and still refuses unknown ones', async (t) => {
    await t.resolves(knex('users').insert({ organization_id: orgA, email: 'sql.oa@a.example', role: 'org-admin' }))
    // 'root' is no Role: the row type refuses it, so it goes through an untyped table.
    await t.rejects(
      knex<Record<string, unknown>>('users').insert({
        organization_id: orgA,
        email: 'sql.root@a.example',
        role: 'root',
      }),
      /users_role_valid/,
    )
  })
})
