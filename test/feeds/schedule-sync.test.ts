import t from 'tap'
import { enqueueDueFeeds } from '../../core/feeds/schedule-tick.js'
import { authAs, buildFeedsApp, createOrgWithUsers, feedRow } from './feed-helper.js'

// No workers: the test drives the scheduler tick itself and inspects what it queued.
const { app, knex } = await buildFeedsApp(t, {}, false)
const org = await createOrgWithUsers(knex)
const headers = authAs(org.publisher)
const nextRunAt = async (id: string) => (await feedRow(knex, id)).next_run_at

t.test('create, update, disable, enable and delete keep next_run_at in step', async (t) => {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers,
    payload: {
      name: 's',
      source: 'stix-bundle',
      config: { url: 'http://127.0.0.1:9/x' },
      collectionId: org.collectionId,
      schedule: '0 * * * *',
    },
  })
  const id = created.json().id
  const hourly = await nextRunAt(id)
  t.ok(hourly, 'scheduled on create')
  t.equal(hourly!.getUTCMinutes(), 0)
  t.ok(hourly!.getTime() - Date.now() <= 3600_000)

  await app.inject({ method: 'PATCH', url: `/api/v1/feeds/${id}`, headers, payload: { schedule: '30 4 * * *' } })
  const daily = await nextRunAt(id)
  t.same([daily!.getUTCHours(), daily!.getUTCMinutes()], [4, 30], 'rescheduled on update')

  await app.inject({ method: 'PATCH', url: `/api/v1/feeds/${id}`, headers, payload: { enabled: false } })
  t.equal(await nextRunAt(id), null, 'disabled: not scheduled')
  await app.inject({ method: 'PATCH', url: `/api/v1/feeds/${id}`, headers, payload: { enabled: true } })
  t.ok(await nextRunAt(id), 're-enabled: scheduled')
  await app.inject({ method: 'PATCH', url: `/api/v1/feeds/${id}`, headers, payload: { schedule: null } })
  t.equal(await nextRunAt(id), null, 'manual only')
  await app.inject({ method: 'PATCH', url: `/api/v1/feeds/${id}`, headers, payload: { schedule: '*/5 * * * *' } })
  await app.inject({ method: 'DELETE', url: `/api/v1/feeds/${id}`, headers })
  t.equal(await knex('feeds').where({ id }).first(), undefined, 'deleted feeds leave nothing to schedule')
})

t.test('a due feed is enqueued exactly once, even by concurrent ticks', async (t) => {
  const ids: string[] = []
  for (const name of ['due', 'not-due', 'disabled']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/feeds',
      headers,
      payload: {
        name,
        source: 'stix-bundle',
        config: { url: 'http://127.0.0.1:9/x' },
        collectionId: org.collectionId,
        schedule: '*/5 * * * *',
        enabled: name !== 'disabled',
      },
    })
    ids.push(res.json().id)
  }
  const [due, notDue, disabled] = ids
  await knex('feeds')
    .whereIn('id', [due, disabled])
    .update({ next_run_at: knex.raw(`now() - interval '1 minute'`) })
  const ctx = app.feedRuns
  const ticks = await Promise.all([enqueueDueFeeds(ctx), enqueueDueFeeds(ctx), enqueueDueFeeds(ctx)])
  t.equal(ticks.flat().length, 1, 'one run queued in total')
  const runs = await knex('feed_runs').whereIn('feed_id', ids).select('id', 'feed_id', 'trigger')
  t.same(
    runs.map((r) => r.feed_id),
    [due],
  )
  t.equal(runs[0].trigger, 'schedule')
  const jobs = await knex.raw(`SELECT data FROM pgboss.job WHERE name = 'feed.pull'`)
  t.same(jobs.rows, [{ data: { runId: runs[0].id } }], 'its one job, committed with it')
  t.ok((await nextRunAt(due))!.getTime() > Date.now(), 'moved to the next slot')
  t.equal((await nextRunAt(notDue)) !== null, true)

  // Due again while the previous run is still queued: the slot is skipped, no second run.
  await knex('feeds')
    .where({ id: due })
    .update({ next_run_at: knex.raw(`now() - interval '1 minute'`) })
  t.same(await enqueueDueFeeds(ctx), [], 'no second run while one is active')
  t.equal((await knex('feed_runs').where({ feed_id: due })).length, 1)
  t.ok((await nextRunAt(due))!.getTime() > Date.now())
})
