import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { authAs, buildFeedsApp, createOrgWithUsers, feedRow, runRow, storedObjects, waitForRun } from './feed-helper.js'
import { startWorker, streamBundle } from './worker-process.js'

const COUNT = 5000
const BATCH = 500
const server = await startFixtureServer(async (req, res) => {
  // Slow: ~250 objects every 100 ms, so the worker is killed between batches of a long run.
  if (req.url === '/slow.json') return streamBundle(res, { seed: 'kill', count: COUNT, perChunk: 250, delayMs: 100 })
  res.writeHead(404).end()
})
t.teardown(() => server.close())

const workerEnv = { CRISP_FEED_RUN_TIMEOUT: '5', CRISP_FEED_RETRY_DELAY: '1', CRISP_FEED_BATCH_SIZE: String(BATCH) }
const { app, knex, databaseUrl } = await buildFeedsApp(t, workerEnv, false)
const org = await createOrgWithUsers(knex)
const headers = authAs(org.publisher)

async function feedInto(name: string, collectionId: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers,
    payload: { name, source: 'stix-bundle', config: { url: `${server.origin}/slow.json` }, collectionId },
  })
  return res.json().id as string
}

t.test('a worker SIGKILLed mid-run leaves no partial batch; the retry ends with the clean result', async (t) => {
  const feedId = await feedInto('killed', org.collectionId)
  const runId = (await app.inject({ method: 'POST', url: `/api/v1/feeds/${feedId}/run`, headers })).json().id
  const first = startWorker(databaseUrl, workerEnv)
  t.teardown(() => first.kill())
  const deadline = Date.now() + 30_000
  let run = await runRow(knex, runId)
  while (run.fetched < 2 * BATCH && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    run = await runRow(knex, runId)
  }
  await first.kill('SIGKILL')
  const afterKill = await runRow(knex, runId)
  const stored = (await storedObjects(knex, org.collectionId)).length
  t.equal(afterKill.status, 'running', 'killed mid-run')
  t.ok(afterKill.fetched > 0 && afterKill.fetched < COUNT, `some batches committed (${afterKill.fetched})`)
  t.equal(stored, afterKill.new_objects, 'what is stored is exactly what the committed batches counted')
  t.equal(stored % BATCH, 0, 'only whole batches are stored')
  t.equal((await feedRow(knex, feedId)).checkpoint, null, 'no checkpoint before the bundle is complete')

  const second = startWorker(databaseUrl, workerEnv)
  t.teardown(() => second.kill())
  const done = await waitForRun(knex, runId, ['succeeded', 'failed'], 60_000)
  t.equal(done.status, 'succeeded', done.error ?? 'succeeded')
  t.equal(done.attempts, 2, 'retried once after the timeout')
  t.equal(done.new_objects, COUNT, 'every object counted new exactly once across attempts')
  const killedResult = await storedObjects(knex, org.collectionId)
  t.equal(killedResult.length, COUNT)
  t.equal(new Set(killedResult.map((o) => o.stix_id)).size, COUNT, 'no duplicates')
  t.equal((await knex('stix_objects').count({ n: '*' }))[0].n, String(COUNT), 'no duplicate versions')

  // A clean single run of the same source into another collection stores the same set.
  const [{ id: cleanCollection }] = await knex('collections')
    .insert({ organization_id: org.id, title: 'clean' })
    .returning('id')
  const cleanRunId = (
    await app.inject({ method: 'POST', url: `/api/v1/feeds/${await feedInto('clean', cleanCollection)}/run`, headers })
  ).json().id
  const clean = await waitForRun(knex, cleanRunId, ['succeeded', 'failed'], 60_000)
  t.equal(clean.status, 'succeeded')
  t.equal(clean.attempts, 1)
  const cleanResult = await storedObjects(knex, cleanCollection)
  t.same(
    cleanResult.map((o) => o.stix_id).sort(),
    killedResult.map((o) => o.stix_id).sort(),
    'same stored result as a clean run',
  )
  await second.kill('SIGTERM')
})
