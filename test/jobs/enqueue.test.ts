import t from 'tap'
import type { Principal } from '../../core/plugin-api/index.js'
import { transactionDb, type Enqueue } from '../../core/infra/enqueue.js'
import { declareQueues } from '../../core/infra/jobs.js'
import { QUEUES, queueDeclarations, type QueueName } from '../../core/jobs/queues.js'
import { queueRun } from '../../core/feeds/run-queue.js'
import { createExportJob } from '../../core/exports/job-store.js'
import { queuePendingRequest } from '../../core/taxii/ingest-job.js'
import { buildTestApp } from '../helper.js'

// No workers: every job stays in pgboss.job where the test can count it.
const { app, knex, config } = await buildTestApp(t, {
  runWorkers: false,
  env: { CRISP_FEED_RUN_TIMEOUT: '1234', CRISP_FEED_RETRY_DELAY: '7' },
})
const [{ id: orgId }] = await knex('organizations').insert({ name: 'enqueue org' }).returning('id')
const [{ id: collectionId }] = await knex('collections')
  .insert({ organization_id: orgId, title: 'enqueue intel' })
  .returning('id')
const [{ id: userId }] = await knex('users')
  .insert({ organization_id: orgId, email: 'publisher@enqueue.test', role: 'publisher' })
  .returning('id')
const principal: Principal = { userId, orgId, role: 'publisher', email: 'publisher@enqueue.test', via: 'test' }

interface JobRow {
  id: string
  data: Record<string, unknown>
  retry_limit: number
  retry_delay: number
  expire_seconds: number
}
const jobsOf = async (queue: QueueName, data: object = {}): Promise<JobRow[]> =>
  (
    await knex.raw<{ rows: JobRow[] }>(
      `SELECT id, data, retry_limit, retry_delay, extract(epoch FROM expire_in)::int AS expire_seconds FROM pgboss.job WHERE name = ? AND data @> ?::jsonb`,
      [queue, JSON.stringify(data)],
    )
  ).rows

/** The real enqueue, then a failure later in the same transaction: what every producer must survive. */
function failingAfterEnqueue(sent: string[]): { enqueue: Enqueue } {
  return {
    enqueue: async (trx, queue, data, options) => {
      const id = await app.jobs.enqueue(trx, queue, data, options)
      if (id !== null) sent.push(id)
      throw new Error('a later write of the same transaction failed')
    },
  }
}

t.test('every queue is stored with the policy it declares (the one place jobs take it from)', async (t) => {
  const stored = new Map((await app.jobs.boss.getQueues()).map((q) => [q.name, q]))
  for (const declared of queueDeclarations(config)) {
    const { name, ...policy } = declared
    t.match(stored.get(name), policy, name)
  }
})

t.test(
  'pg-boss SQL runs on the transaction connection; parameters reach it as values, whatever their characters',
  async (t) => {
    await knex
      .transaction(async (trx) => {
        const db = transactionDb(trx)
        const [own] = (
          await trx.raw<{ rows: { pid: number; xid: string }[] }>(
            'SELECT pg_backend_pid() AS pid, txid_current()::text AS xid',
          )
        ).rows
        const { rows } = await db.executeSql(
          // A `?` operator and `$1`/`?` inside literals are SQL, not parameters; `$1` is used twice.
          `SELECT pg_backend_pid() AS pid, txid_current()::text AS xid, $1::text AS a, $1::text || $2::text AS ab,
              '{"k": 1}'::jsonb ? 'k' AS has_k, '$1 ? ??' AS literal, $3::text IS NULL AS unset`,
          ["what? $1 '?' \\? ??", '$2$$', undefined],
        )
        t.same(rows, [
          {
            pid: own.pid,
            xid: own.xid,
            a: "what? $1 '?' \\? ??",
            ab: "what? $1 '?' \\? ??$2$$",
            has_k: true,
            literal: '$1 ? ??',
            unset: true,
          },
        ])
        const data = { note: "a '?' and $1, ?? and \\?", list: ['$2', '?'] }
        const id = await app.jobs.enqueue(trx, QUEUES.exportRun, data)
        t.same(
          (await db.executeSql('SELECT data FROM pgboss.job WHERE name = $1 AND id = $2', [QUEUES.exportRun, id])).rows,
          [{ data }],
          'job data stored as sent',
        )
        throw new RollBack()
      })
      .catch(ignoreRollBack)
    t.same(await jobsOf(QUEUES.exportRun), [], 'rolled back with the transaction')
  },
)

t.test('a job its queue does not accept fails the transaction instead of leaving its row without a job', async (t) => {
  // Before any export.run job exists: pg-boss 10 cannot delete a queue that holds jobs.
  await app.jobs.boss.deleteQueue(QUEUES.exportRun)
  t.teardown(() => declareQueues(app.jobs.boss, queueDeclarations(config)))
  const before = await knex('export_jobs').count({ n: '*' })
  await t.rejects(
    createExportJob({ knex, jobs: app.jobs, userId, orgId, format: 'stix-bundle', filter: {}, options: {} }),
    /did not accept the job/,
  )
  t.same(await knex('export_jobs').count({ n: '*' }), before, 'no row committed')
})

t.test(
  'feed runs: the run and its feed.pull job commit or roll back together; the job takes the queue policy',
  async (t) => {
    const [{ id: feedId }] = await knex('feeds')
      .insert({
        organization_id: orgId,
        collection_id: collectionId,
        name: 'f',
        source_plugin: 'stix-bundle',
        config: {},
      })
      .returning('id')
    const sent: string[] = []
    await t.rejects(queueRun({ knex, jobs: failingAfterEnqueue(sent) }, feedId, 'manual'), /later write/)
    t.equal(sent.length, 1, 'a job was inserted inside the transaction')
    t.equal(await app.jobs.boss.getJobById(QUEUES.feedPull, sent[0]), null, 'and rolled back with it')
    t.same(await knex('feed_runs').where({ feed_id: feedId }), [], 'no run either')
    t.same(await jobsOf(QUEUES.feedPull), [])

    const run = await queueRun(app.feedRuns, feedId, 'manual')
    t.ok(run)
    const jobs = await jobsOf(QUEUES.feedPull)
    t.same(
      jobs.map((j) => j.data),
      [{ runId: run!.id }],
      'exactly one job, for the committed run',
    )
    t.match(
      jobs[0],
      { retry_limit: 4, retry_delay: config.feeds.retryDelay, expire_seconds: config.feeds.runTimeout },
      'retry and expiry from the queue declaration',
    )
    t.equal(await queueRun(app.feedRuns, feedId, 'manual'), null, 'a second run is refused while one is queued')
    t.equal((await jobsOf(QUEUES.feedPull)).length, 1, 'and adds no job')
  },
)

t.test('exports: the export row and its export.run job commit or roll back together', async (t) => {
  const input = { knex, userId, orgId, format: 'stix-bundle', filter: {}, options: {} }
  const sent: string[] = []
  await t.rejects(createExportJob({ ...input, jobs: failingAfterEnqueue(sent) }), /later write/)
  t.equal(sent.length, 1)
  t.equal(await app.jobs.boss.getJobById(QUEUES.exportRun, sent[0]), null, 'the job rolled back')
  t.same(await knex('export_jobs'), [], 'no export row either')

  const row = await createExportJob({ ...input, jobs: app.jobs })
  t.same(
    (await jobsOf(QUEUES.exportRun)).map((j) => j.data),
    [{ exportJobId: row.id }],
    'exactly one job, for the committed row',
  )
})

t.test('TAXII: a pending add request and its taxii.ingest job commit or roll back together', async (t) => {
  const input = { collectionId, principal, objects: [{ type: 'indicator' }] }
  const sent: string[] = []
  await t.rejects(queuePendingRequest(knex, failingAfterEnqueue(sent), input), /later write/)
  t.equal(sent.length, 1)
  t.equal(await app.jobs.boss.getJobById(QUEUES.taxiiIngest, sent[0]), null, 'the job rolled back')
  t.same(await knex('taxii_statuses'), [], 'no status either')

  const statusId = await queuePendingRequest(knex, app.jobs, input)
  t.same(
    (await jobsOf(QUEUES.taxiiIngest)).map((j) => j.data),
    [{ statusId }],
    'exactly one job, for the committed status',
  )
})

class RollBack extends Error {}
function ignoreRollBack(err: unknown): void {
  if (!(err instanceof RollBack)) throw err
}
