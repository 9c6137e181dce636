import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import { consoleAction, consoleHeaders, consoleLogin, signedInConsole } from './console-session.js'
import { createOrg, createUser, loginAs, TEST_PASSWORD } from '../helper.js'

type Json = Awaited<ReturnType<typeof consoleAction>>['json']
const ids = (json: Json) => (json.records ?? []).map((r: { id: string }) => r.id).sort()
/** AdminJS answers a refused or missing record's action 200 with an error notice (the page shows it), or 4xx. */
const refused = (res: { status: number; json: Json }) => res.status !== 200 || res.json.notice?.type === 'error'

// The console as an org-admin sees it, through the console's own JSON API (what its pages call): every read
// is scoped to its organization, and forged calls for other organizations' records change nothing.
t.test('an org-admin in the console: its organization only', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgA = await createOrg(knex, 'Org A')
  const orgB = await createOrg(knex, 'Org B')
  const orgAdmin = await createUser(app, { orgId: orgA, role: 'org-admin' })
  const viewerA = await createUser(app, { orgId: orgA, role: 'viewer' })
  const viewerB = await createUser(app, { orgId: orgB, role: 'viewer', email: 'bob@b.example' })
  const publisherB = await createUser(app, { orgId: orgB, role: 'publisher' })
  const [level] = await knex('trust_levels').where({ level: 3 }).select('id')
  const [aTrustsB] = await knex('trust_relationships')
    .insert({ trustor_org_id: orgA, trustee_org_id: orgB, trust_level_id: level.id })
    .returning('id')
  const orgC = await createOrg(knex, 'Org C')
  const [bTrustsC] = await knex('trust_relationships')
    .insert({ trustor_org_id: orgB, trustee_org_id: orgC, trust_level_id: level.id })
    .returning('id')
  const feedOf = async (orgId: string, name: string) => {
    const [collection] = await knex('collections')
      .insert({ organization_id: orgId, title: `${name} intel` })
      .returning('id')
    const [feed] = await knex('feeds')
      .insert({
        organization_id: orgId,
        collection_id: collection.id,
        name,
        source_plugin: 'stix-bundle',
        config: { url: 'http://127.0.0.1:9/b.json' },
      })
      .returning('id')
    await knex('feed_runs').insert({ feed_id: feed.id, trigger: 'manual', status: 'failed' })
    return { feedId: feed.id as string, collectionId: collection.id as string }
  }
  const a = await feedOf(orgA, 'A nightly')
  const b = await feedOf(orgB, 'B nightly')
  const keyOf = async (user: typeof viewerA) =>
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { authorization: `Bearer ${await loginAs(app, user)}` },
        payload: { name: 'ci' },
      })
    ).json()
  const keyA = await keyOf(viewerA)
  const keyB = await keyOf(viewerB)

  t.equal(await consoleLogin(app, viewerA.email, TEST_PASSWORD), null, 'a viewer is still refused')
  const session = await signedInConsole(app, orgAdmin.email, TEST_PASSWORD)
  const act = (path: string, fields?: Record<string, string>) => consoleAction(app, session, path, fields)

  await t.test("lists, counts and searches only its organization's rows", async (t) => {
    const users = await act('users/actions/list?perPage=50')
    t.same(ids(users.json), [orgAdmin.id, viewerA.id].sort(), 'users of org A')
    t.equal(users.json.meta.total, 2, 'and the count agrees')
    t.same(
      ids((await act(`users/actions/list?filters.organization_id=${orgB}`)).json),
      [],
      'a filter for org B finds nothing',
    )
    t.same(ids((await act('users/search/bob')).json), [], 'nor does the search of reference selects')
    t.same(ids((await act('api_keys/actions/list')).json), [keyA.apiKey.id], 'API keys of its users')
    t.same(ids((await act('trust_relationships/actions/list')).json), [aTrustsB.id], 'relationships naming org A')
    t.same(ids((await act('feeds/actions/list')).json), [a.feedId], 'its feeds')
    t.same(ids((await act('collections/actions/list')).json), [a.collectionId], 'its collections')
    const runs = (await act('feed_runs/actions/list')).json.records.map((r: Json) => r.params.feed_id)
    t.same(runs, [a.feedId], "its feeds' runs")
    t.notOk(refused(await act('shared_objects/actions/list')), 'the object browser, which reads as the signed-in admin')
    t.equal(
      (await act('organizations/actions/list')).json.meta.total,
      3,
      'the organizations directory, as every user reads it through the API',
    )
  })

  await t.test("another organization's record is not found, whatever the action", async (t) => {
    for (const path of [
      `users/records/${viewerB.id}/show`,
      `users/records/${viewerB.id}/edit`,
      `users/records/${viewerB.id}/deactivate`,
      `api_keys/records/${keyB.apiKey.id}/show`,
      `api_keys/records/${keyB.apiKey.id}/revoke`,
      `trust_relationships/records/${bTrustsC.id}/show`,
      `trust_relationships/records/${bTrustsC.id}/delete`,
      `feeds/records/${b.feedId}/show`,
      `feeds/records/${b.feedId}/runNow`,
      `feeds/records/${b.feedId}/delete`,
    ]) {
      const res = await act(path, path.endsWith('/show') ? undefined : {})
      t.ok(refused(res), `${path} refused`)
      t.notMatch(JSON.stringify(res.json), /bob@b\.example|B nightly/, `${path} shows nothing of org B`)
    }
    const bulk = await app.inject({
      method: 'POST',
      url: `/admin/api/resources/users/bulk/bulkDelete?recordIds=${viewerB.id}`,
      headers: consoleHeaders(session),
    })
    t.ok(refused({ status: bulk.statusCode, json: bulk.json() }), 'bulk actions too')
    const edit = await act(`users/records/${viewerB.id}/edit`, { display_name: 'Hijacked', role: 'viewer' })
    t.ok(refused(edit), 'a forged edit')
    t.match(
      await knex('users').where({ id: viewerB.id }).first(),
      { display_name: '', is_active: true },
      "org B's user is unchanged",
    )
    t.notOk((await knex('api_keys').where({ id: keyB.apiKey.id }).first())?.revoked_at, 'its key is not revoked')
    t.ok(await knex('feeds').where({ id: b.feedId }).first(), 'its feed is still there')
    t.equal(
      await knex('feed_runs')
        .where({ feed_id: b.feedId })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      1,
      'no run queued',
    )
  })

  await t.test('platform resources are refused', async (t) => {
    for (const path of [
      'audit_log/actions/list',
      'organizations/actions/new',
      'trust_levels/actions/new',
      `organizations/records/${orgB}/edit`,
    ]) {
      const res = await act(
        path,
        path.endsWith('list') ? undefined : { name: 'Mine now', level: '2', anonymization_level: 'high' },
      )
      t.ok(refused(res), `${path} refused`)
      if (path.startsWith('audit_log')) t.same(res.json.records ?? [], [], 'no audit entry is listed')
    }
    t.notOk(await knex('organizations').where({ name: 'Mine now' }).first(), 'no organization created or renamed')
    t.notOk(await knex('trust_levels').where({ name: 'Mine now' }).first(), 'no trust level created')
    const shown = await act(`organizations/records/${orgB}/show`)
    t.notMatch(JSON.stringify(shown.json), /bob@b\.example/, "org B's members are not listed")
    const own = await act(`organizations/records/${orgA}/show`)
    t.match(own.json.record.params.members, viewerA.email, "its own organization's are")
  })

  await t.test('creates users in its organization, never an admin, never in another', async (t) => {
    const fields = { display_name: 'Ana', role: 'publisher', password: 'Tangerine-Rocket-77-Lamp' }
    const created = await act('users/actions/new', { ...fields, email: 'ana@a.example' })
    t.equal(created.status, 200)
    t.match(
      await knex('users').where({ email: 'ana@a.example' }).first(),
      { organization_id: orgA, role: 'publisher' },
      'in org A when the form names none',
    )
    const elsewhere = await act('users/actions/new', { ...fields, email: 'ana@b.example', organization_id: orgB })
    t.equal(elsewhere.json.notice?.type, 'error')
    const root = await act('users/actions/new', {
      ...fields,
      email: 'root@a.example',
      role: 'admin',
      organization_id: orgA,
    })
    t.equal(root.json.notice?.type, 'error')
    const self = await act(`users/records/${orgAdmin.id}/edit`, { role: 'admin' })
    t.equal(self.json.notice?.type, 'error')
    t.notOk(await knex('users').whereIn('email', ['ana@b.example', 'root@a.example']).first(), 'neither user exists')
    t.equal((await knex('users').where({ id: orgAdmin.id }).first())?.role, 'org-admin', 'it did not promote itself')
    t.equal(publisherB.orgId, orgB)
  })

  await t.test("revokes its users' keys and changes the trust it gives", async (t) => {
    t.equal((await act(`api_keys/records/${keyA.apiKey.id}/revoke`, {})).status, 200)
    t.ok((await knex('api_keys').where({ id: keyA.apiKey.id }).first())?.revoked_at, 'revoked')
    const trusteeEdit = await act(`trust_relationships/records/${aTrustsB.id}/edit`, {
      trust_level_id: level.id,
      notes: 'reviewed',
    })
    t.equal(trusteeEdit.status, 200, 'changes a relationship it is the trustor of')
    t.equal((await knex('trust_relationships').where({ id: aTrustsB.id }).first())?.notes, 'reviewed')
  })

  await t.test('demoted, it loses the console at its next request', async (t) => {
    const colleague = await createUser(app, { orgId: orgA, role: 'org-admin' })
    const headers = { authorization: `Bearer ${await loginAs(app, colleague)}` }
    t.equal(ids((await act('users/actions/list')).json).length > 0, true, 'the session works before')
    const demoted = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${orgAdmin.id}`,
      headers,
      payload: { role: 'viewer' },
    })
    t.equal(demoted.statusCode, 200)
    const after = await app.inject({ url: '/admin/api/resources/users/actions/list', headers: consoleHeaders(session) })
    t.match(
      [after.statusCode, after.headers.location],
      [302, /\/admin\/login/],
      'the session is signed out: back to the login page',
    )
    const deactivate = await app.inject({
      url: `/admin/api/resources/users/records/${viewerA.id}/deactivate`,
      headers: consoleHeaders(session),
    })
    t.not(deactivate.statusCode, 200, 'a record action is refused')
    t.equal((await knex('users').where({ id: viewerA.id }).first())?.is_active, true, 'and changes nothing')
  })
})
