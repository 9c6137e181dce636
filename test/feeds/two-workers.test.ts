import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { authAs, buildFeedsApp, createOrgWithUsers, storedObjects, waitForRun } from './feed-helper.js'
import { startWorker, streamBundle } from './worker-process.js'

const FEEDS = 8
const PER_FEED = 300
const requests = new Map<string, number>()
const server = await startFixtureServer(async (req, res) => {
  const seed = (req.url ?? '/').slice(1)
  requests.set(seed, (requests.get(seed) ?? 0) + 1)
  return streamBundle(res, { seed, count: PER_FEED, perChunk: 100, delayMs: 20 })
})
t.teardown(() => server.close())

const workerEnv = { CRISP_FEED_RUN_TIMEOUT: '60', CRISP_FEED_BATCH_SIZE: '100' }
const { app, knex, databaseUrl } = await buildFeedsApp(t, workerEnv, false)
const org = await createOrgWithUsers(knex)
const headers = authAs(org.publisher)

t.test('two worker processes on one database run each job exactly once', async (t) => {
  const workers = [startWorker(databaseUrl, workerEnv), startWorker(databaseUrl, workerEnv)]
  t.teardown(() => Promise.all(workers.map((w) => w.kill())))
  const runs: { runId: string; collectionId: string; seed: string }[] = []
  for (let i = 0; i < FEEDS; i++) {
    const seed = `f${i}`
    const [{ id: collectionId }] = await knex('collections')
      .insert({ organization_id: org.id, title: seed })
      .returning('id')
    const feed = await app.inject({
      method: 'POST',
      url: '/api/v1/feeds',
      headers,
      payload: { name: seed, source: 'stix-bundle', config: { url: `${server.origin}/${seed}` }, collectionId },
    })
    const run = await app.inject({ method: 'POST', url: `/api/v1/feeds/${feed.json().id}/run`, headers })
    runs.push({ runId: run.json().id, collectionId, seed })
  }
  for (const { runId, collectionId, seed } of runs) {
    const done = await waitForRun(knex, runId, ['succeeded', 'failed'], 60_000)
    t.match(done, { status: 'succeeded', attempts: 1, fetched: PER_FEED, new_objects: PER_FEED }, `${seed}: ran once`)
    t.equal(requests.get(seed), 1, `${seed}: source fetched once`)
    t.equal((await storedObjects(knex, collectionId)).length, PER_FEED)
  }
  const completed = await knex.raw(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'feed.pull' AND state = 'completed'`,
  )
  t.equal(completed.rows[0].n, FEEDS, 'one completed job per run')
  await Promise.all(workers.map((w) => w.kill('SIGTERM')))
})
