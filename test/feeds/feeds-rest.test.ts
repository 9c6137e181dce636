import t from 'tap'
import { authAs, buildFeedsApp, createOrgWithUsers, feedRow } from './feed-helper.js'

const { app, knex } = await buildFeedsApp(t, {})
const orgA = await createOrgWithUsers(knex, 'Org A')
const orgB = await createOrgWithUsers(knex, 'Org B')

const feedBody = (over: Record<string, unknown> = {}) => ({
  name: 'Bundle feed',
  source: 'stix-bundle',
  config: { url: 'http://127.0.0.1:9/bundle.json', headers: { Authorization: 'Bearer s3cret-token' } },
  schedule: '*/15 * * * *',
  collectionId: orgA.collectionId,
  defaultTlp: 'green',
  ...over,
})

t.test('create validates everything at once and lists every error with its path', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(orgA.publisher),
    payload: feedBody({
      config: { url: 'ftp://nope', timeoutMs: 0, bogus: 1 },
      schedule: 'every day',
      collectionId: orgB.collectionId,
    }),
  })
  t.equal(res.statusCode, 400)
  const problems = res.json().error.details.problems as { path: string; message: string }[]
  const paths = problems.map((p) => p.path)
  for (const p of ['/config/url', '/config/timeoutMs', '/config/bogus', '/schedule', '/collectionId'])
    t.ok(paths.includes(p), `${p} reported`)
  const unknown = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(orgA.publisher),
    payload: feedBody({ source: 'nope' }),
  })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().error.details.problems[0], { path: '/source' })
})

t.test('CRUD by a publisher; secrets masked; audited; schedule kept in step', async (t) => {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(orgA.publisher),
    payload: feedBody(),
  })
  t.equal(created.statusCode, 201, created.body)
  const feed = created.json()
  t.equal(feed.config.headers.Authorization, '********', 'secret header masked')
  t.equal(feed.config.timeoutMs, 120000, 'defaults applied')
  t.ok(feed.nextRunAt, 'scheduled')
  // The stored config as this test wrote it (a test may assert what it knows)
  const storedAuthorization = async () =>
    ((await feedRow(knex, feed.id)).config as { headers: { Authorization: string } }).headers.Authorization
  t.equal(
    JSON.parse(app.feedSecrets.open(await storedAuthorization())),
    'Bearer s3cret-token',
    'secret stored (encrypted: test/feeds/secrets-at-rest.test.ts)',
  )

  const dup = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(orgA.publisher),
    payload: feedBody(),
  })
  t.equal(dup.statusCode, 409)

  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${feed.id}`,
    headers: authAs(orgA.publisher),
    payload: { config: feed.config, enabled: false },
  })
  t.equal(patched.statusCode, 200, patched.body)
  t.equal(patched.json().nextRunAt, null, 'disabled feed is not scheduled')
  t.equal(
    JSON.parse(app.feedSecrets.open(await storedAuthorization())),
    'Bearer s3cret-token',
    'masked value kept the secret',
  )

  const list = await app.inject({ url: '/api/v1/feeds', headers: authAs(orgA.publisher) })
  t.same(
    list.json().items.map((f: { id: string }) => f.id),
    [feed.id],
  )
  t.same(
    (await app.inject({ url: '/api/v1/feeds', headers: authAs(orgB.publisher) })).json().items,
    [],
    'other org sees nothing',
  )

  const actions = (await knex('audit_log').where({ target_id: feed.id }).orderBy('id').select('action')).map(
    (r) => r.action,
  )
  t.same(actions, ['feed.create', 'feed.update'])
  t.notMatch(JSON.stringify(await knex('audit_log').select('details')), 's3cret', 'no secret in the audit log')

  const del = await app.inject({ method: 'DELETE', url: `/api/v1/feeds/${feed.id}`, headers: authAs(orgA.publisher) })
  t.equal(del.statusCode, 204)
  t.equal((await app.inject({ url: `/api/v1/feeds/${feed.id}`, headers: authAs(orgA.publisher) })).statusCode, 404)
})

t.test('permissions: viewer 403, other org 404, admin allowed', async (t) => {
  const feed = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/feeds',
      headers: authAs(orgA.publisher),
      payload: feedBody({ name: 'perm' }),
    })
  ).json()
  t.equal((await app.inject({ url: '/api/v1/feeds', headers: authAs(orgA.viewer) })).statusCode, 403)
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/feeds',
        headers: authAs(orgA.viewer),
        payload: feedBody({ name: 'v' }),
      })
    ).statusCode,
    403,
  )
  t.equal((await app.inject({ url: `/api/v1/feeds/${feed.id}`, headers: authAs(orgB.publisher) })).statusCode, 404)
  t.equal(
    (await app.inject({ method: 'POST', url: `/api/v1/feeds/${feed.id}/run`, headers: authAs(orgB.publisher) }))
      .statusCode,
    404,
  )
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/api/v1/feeds/${feed.id}`, headers: authAs(orgB.publisher) }))
      .statusCode,
    404,
  )
  const forOther = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(orgB.publisher),
    payload: feedBody({ organizationId: orgA.id }),
  })
  t.equal(forOther.statusCode, 403)
  t.equal(
    (await app.inject({ url: `/api/v1/feeds/${feed.id}`, headers: authAs(orgB.admin) })).statusCode,
    200,
    'admins see every feed',
  )
  t.equal((await app.inject({ url: '/api/v1/feeds' })).statusCode, 401)
})

t.test('run: 202 with the queued run, 409 while one is active, runs listed', async (t) => {
  const feed = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/feeds',
      headers: authAs(orgA.publisher),
      payload: feedBody({ name: 'runme', schedule: null }),
    })
  ).json()
  t.equal(feed.nextRunAt, null, 'manual-only feed')
  // Hold the run in "queued": the worker cannot claim it while we keep its row locked.
  const trx = await knex.transaction()
  const first = await app.inject({
    method: 'POST',
    url: `/api/v1/feeds/${feed.id}/run`,
    headers: authAs(orgA.publisher),
  })
  t.equal(first.statusCode, 202, first.body)
  t.match(first.json(), { feedId: feed.id, status: 'queued', trigger: 'manual', counts: { fetched: 0 } })
  await trx('feed_runs').where({ id: first.json().id }).forUpdate()
  const second = await app.inject({
    method: 'POST',
    url: `/api/v1/feeds/${feed.id}/run`,
    headers: authAs(orgA.publisher),
  })
  t.equal(second.statusCode, 409)
  t.equal(second.json().error.code, 'CRISP_FEED_RUN_ACTIVE')
  await trx.rollback()
  const runs = await app.inject({ url: `/api/v1/feeds/${feed.id}/runs`, headers: authAs(orgA.publisher) })
  t.equal(runs.statusCode, 200)
  t.equal(runs.json().items.length, 1)
  t.equal(runs.json().items[0].id, first.json().id)
})
