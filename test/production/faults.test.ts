import t from 'tap'
import { createKnex, migrateLatest } from '../../core/infra/database.js'
import { startFixtureServer } from '../contract/feed-source.js'
import { authAs, createOrgWithUsers, FIXTURE_EGRESS_ENV, PLUGINS_FILE } from '../feeds/feed-helper.js'
import { streamBundle } from '../feeds/worker-process.js'
import { freePort, startCrisp, waitForReadiness, type CrispProcess } from './faults-processes.js'
import { findDebianPostgres, startRealPostgres } from './real-postgres.js'

/**
 * The fault half of issue 14's acceptance: two API nodes and two workers on Debian's PostgreSQL (DATABASE_URL),
 * a 200,000-object feed run while PostgreSQL restarts once and the worker running the feed is SIGKILLed.
 */
const COUNT = 200_000
const LEASE = 6
t.setTimeout(300_000)

if (!findDebianPostgres()) {
  t.plan(0, 'no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)')
} else {
  const pgsrv = await startRealPostgres()
  t.teardown(() => pgsrv.destroy())
  const databaseUrl = await pgsrv.createDatabase('crisp')
  const knex = createKnex(databaseUrl, { poolMax: 2 })
  t.teardown(() => knex.destroy())
  await migrateLatest(knex)
  const org = await createOrgWithUsers(knex)

  const server = await startFixtureServer(async (req, res) => {
    if (req.url === '/big.json') return streamBundle(res, { seed: 'faults', count: COUNT, perChunk: 2000, delayMs: 10 })
    res.writeHead(404).end()
  })
  t.teardown(() => server.close())

  const env = {
    ...FIXTURE_EGRESS_ENV,
    DATABASE_URL: databaseUrl,
    CRISP_PLUGINS_FILE: PLUGINS_FILE,
    CRISP_FEED_LEASE: String(LEASE),
    CRISP_FEED_RETRY_DELAY: '1',
    CRISP_FEED_BATCH_SIZE: '2000',
    CRISP_DB_POOL_MAX: '4',
    // The console's prebuilt bundle (.adminjs/): bundling at each start-up is slow on a shared machine.
    ADMIN_JS_SKIP_BUNDLE: 'true',
  }
  const all: CrispProcess[] = []
  t.teardown(() => Promise.all(all.map((p) => p.kill('SIGKILL'))))
  process.once(
    'uncaughtException',
    () => void Promise.all(all.map((p) => p.kill('SIGKILL'))).finally(() => pgsrv.destroy()),
  )
  // One after the other: the admin console's start-up is heavy on a shared two-core machine.
  const apis: CrispProcess[] = []
  for (let i = 0; i < 2; i++) {
    const api = startCrisp('api', env, await freePort())
    all.push(api)
    await waitForReadiness(api, 200, 120_000)
    apis.push(api)
  }
  const workers = [startCrisp('worker', env), startCrisp('worker', env)]
  all.push(...workers)

  const fetchedOf = async (runId: string) =>
    (await knex('feed_runs').where({ id: runId }).first()) as {
      status: string
      fetched: number
      attempts: number
      error: string | null
    }
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  /** The worker whose log says it started the run's current attempt. */
  const ownerOf = (runId: string, attempt: number) =>
    workers.find((w) =>
      w.logLines().some((l) => l.msg === 'feed run attempt started' && l.runId === runId && l.attempt === attempt),
    )

  t.test(
    'a feed run survives a PostgreSQL restart and a SIGKILLed worker: every object once, every process up',
    async (t) => {
      const headers = { ...authAs(org.publisher), 'content-type': 'application/json' }
      const created = await fetch(`${apis[0].origin}/api/v1/feeds`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'big',
          source: 'stix-bundle',
          config: { url: `${server.origin}/big.json` },
          collectionId: org.collectionId,
        }),
      })
      t.equal(created.status, 201, 'feed created on API node 1')
      const feedId = ((await created.json()) as { id: string }).id
      const started = await fetch(`${apis[1].origin}/api/v1/feeds/${feedId}/run`, {
        method: 'POST',
        headers: authAs(org.publisher),
      })
      t.equal(started.status, 202, 'run queued on API node 2')
      const runId = ((await started.json()) as { id: string }).id

      await waitFor('the first batches', async () => (await fetchedOf(runId)).fetched >= 10_000)
      await pgsrv.stopServer('fast')
      for (const api of apis) await waitForReadiness(api, 503, 30_000)
      t.pass('both API nodes answer /readyz 503 while PostgreSQL is down')
      await new Promise((r) => setTimeout(r, 2000))
      await pgsrv.start()
      for (const api of apis) await waitForReadiness(api, 200, 60_000)
      t.pass('both API nodes answer /readyz 200 once PostgreSQL is back')

      // The attempt cut by the restart gives the run back or lets its lease run out; another attempt takes it.
      await waitFor('an attempt after the restart', async () => {
        const run = await fetchedOf(runId)
        return run.status === 'running' && run.attempts >= 2 && run.fetched >= 10_000
      })
      const { attempts } = await fetchedOf(runId)
      const owner = ownerOf(runId, attempts)
      t.ok(owner, `a worker logged attempt ${attempts}`)
      await owner?.kill('SIGKILL')
      t.notOk(owner?.alive(), 'the worker running the feed was SIGKILLed')

      await waitFor(
        'the run to finish',
        async () => ['succeeded', 'partial', 'failed'].includes((await fetchedOf(runId)).status),
        170_000,
      )
      const done = await fetchedOf(runId)
      t.equal(done.status, 'succeeded', `run finished without manual action (${done.error})`)
      t.ok(done.attempts >= attempts + 1, `taken over after the SIGKILL (attempts ${done.attempts})`)

      const counts = await knex.raw<{ rows: { rows: number; ids: number; versions: number }[] }>(
        `SELECT count(*)::int AS rows, count(DISTINCT s.stix_id)::int AS ids, (SELECT count(*)::int FROM stix_objects) AS versions
         FROM collection_objects c JOIN stix_objects s ON s.pk = c.object_pk WHERE c.collection_id = ?`,
        [org.collectionId],
      )
      t.same(counts.rows[0], { rows: COUNT, ids: COUNT, versions: COUNT }, 'exactly 200,000 objects stored, none twice')

      const survivors = all.filter((p) => p !== owner)
      t.same(
        survivors.map((p) => p.alive()),
        [true, true, true],
        'both API nodes and the other worker are still running',
      )
      for (const api of apis) t.equal((await fetch(`${api.origin}/readyz`)).status, 200, `${api.origin}/readyz 200`)
      const fatal = survivors.flatMap((p) => p.logLines().filter((l) => l.level >= 60 || /unhandled/i.test(l.msg)))
      t.same(fatal, [], 'no fatal or unhandled-rejection log line')
    },
  )
}
