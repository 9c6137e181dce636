import t from 'tap'
import { QUEUES, FEED_PULL_MAX_ATTEMPTS } from '../../core/jobs/queues.js'
import { takeOverExpiredRuns } from '../../core/feeds/run-takeover.js'
import type { FeedRunStatus } from '../../core/model/vocabularies.js'
import { buildFeedsApp, createOrgWithUsers, waitForRun } from '../feeds/feed-helper.js'

const { app, knex } = await buildFeedsApp(t, { CRISP_FEED_LEASE: '30' }, true)
const org = await createOrgWithUsers(knex)
const silent = { info: () => undefined, warn: () => undefined }

/** A feed whose source never answers (nothing listens there): a run of it stays wherever the test puts it. */
async function runInState(state: {
  status: FeedRunStatus
  leaseSecondsFromNow: number | null
  attempts: number
}): Promise<string> {
  const [{ id: feedId }] = await knex('feeds')
    .insert({
      name: `f-${Math.random()}`,
      source_plugin: 'stix-bundle',
      config: { url: 'http://127.0.0.1:9/none.json' },
      collection_id: org.collectionId,
      organization_id: org.id,
    })
    .returning('id')
  const lease =
    state.leaseSecondsFromNow === null
      ? null
      : knex.raw(`now() + make_interval(secs => ?)`, [state.leaseSecondsFromNow])
  const [{ id }] = await knex('feed_runs')
    .insert({
      feed_id: feedId,
      trigger: 'manual',
      status: state.status,
      attempts: state.attempts,
      lease_token: state.status === 'running' ? knex.raw('gen_random_uuid()') : null,
      lease_expires_at: lease,
    })
    .returning('id')
  return id
}

const jobsOf = async (runId: string) =>
  (
    await knex.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ? AND data->>'runId' = ?`, [
      QUEUES.feedPull,
      runId,
    ])
  ).rows[0].n as number

t.test('a run whose lease expired is queued again with a new job, once; a live one is left alone', async (t) => {
  const stale = await runInState({ status: 'running', leaseSecondsFromNow: -5, attempts: 1 })
  const live = await runInState({ status: 'running', leaseSecondsFromNow: 60, attempts: 1 })
  const ctx = { knex, jobs: app.jobs, log: silent }
  const [first, second] = await Promise.all([takeOverExpiredRuns(ctx), takeOverExpiredRuns(ctx)])
  t.equal(first + second, 1, 'two concurrent sweeps take the run over once')
  t.equal(await takeOverExpiredRuns(ctx), 0, 'a later sweep finds nothing')
  t.match(await knex('feed_runs').where({ id: stale }).first(), {
    status: 'queued',
    lease_token: null,
    error: /taken over/,
  })
  t.equal(await jobsOf(stale), 1, 'one feed.pull job for the taken-over run')
  t.match(
    await knex('feed_runs').where({ id: live }).first(),
    { status: 'running' },
    'a live lease is never taken over',
  )
  t.equal(await jobsOf(live), 0)
})

t.test('a run that lost its worker on its last attempt fails instead', async (t) => {
  const last = await runInState({ status: 'running', leaseSecondsFromNow: -5, attempts: FEED_PULL_MAX_ATTEMPTS })
  await takeOverExpiredRuns({ knex, jobs: app.jobs, log: silent })
  t.match(await knex('feed_runs').where({ id: last }).first(), { status: 'failed', error: /gave up/ })
  t.equal(await jobsOf(last), 0)
})

t.test(
  'a feed.pull job in the dead-letter queue ends its run failed; a run a live attempt owns is left alone',
  async (t) => {
    const abandoned = await runInState({ status: 'running', leaseSecondsFromNow: -5, attempts: 5 })
    const owned = await runInState({ status: 'running', leaseSecondsFromNow: 600, attempts: 2 })
    await app.jobs.boss.send(QUEUES.feedPullDead, { runId: owned })
    await app.jobs.boss.send(QUEUES.feedPullDead, { runId: abandoned })
    const done = await waitForRun(knex, abandoned, ['failed'], 30_000)
    t.match(done.error, /dead-lettered/)
    t.ok(done.finished_at, 'finished')
    const deadJobs = async () =>
      (
        await knex.raw(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ? AND state = 'completed'`, [
          QUEUES.feedPullDead,
        ])
      ).rows[0].n as number
    for (const deadline = Date.now() + 30_000; (await deadJobs()) < 2 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 100))
    t.equal(await deadJobs(), 2, 'both dead letters handled')
    t.match(
      await knex('feed_runs').where({ id: owned }).first(),
      { status: 'running' },
      'a run with a live lease is not failed',
    )
  },
)
