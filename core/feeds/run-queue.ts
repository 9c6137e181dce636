import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import type { Config } from '../../config/load.js'
import type { FeedRunRow } from './feed-dto.js'

export interface RunQueueContext {
  knex: Knex
  jobs: Pick<Jobs, 'send'>
  feeds: Config['feeds']
}

/** Job payload of `feed.pull`: the run it executes (the run row holds everything else). */
export interface FeedPullJob {
  runId: string
}

/** How many times a run whose source is unavailable is retried before it is dead-lettered. */
export const FEED_RUN_RETRY_LIMIT = 4

/**
 * Inserts a queued run, then its `feed.pull` job. Returns null when the feed already has a queued or running
 * run (the partial unique index `feed_runs_one_active_per_feed` decides, so concurrent callers race safely).
 * A crash between the insert and the send leaves a queued run without a job: `resendOrphanRuns` sends it.
 */
export async function enqueueRun(ctx: RunQueueContext, feedId: string, trigger: 'manual' | 'schedule', db: Knex | Knex.Transaction = ctx.knex): Promise<FeedRunRow | null> {
  // ON CONFLICT rather than catching the violation: inside the scheduler's transaction an error would abort it.
  const { rows } = await db.raw<{ rows: FeedRunRow[] }>(
    `INSERT INTO feed_runs (feed_id, trigger, status) VALUES (?, ?, 'queued')
     ON CONFLICT (feed_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING *`,
    [feedId, trigger],
  )
  return rows[0] ?? null
}

/** Sends the job of a queued run and records its id. */
export async function sendRunJob(ctx: RunQueueContext, runId: string): Promise<string | null> {
  const jobId = await ctx.jobs.send(QUEUES.feedPull, { runId } satisfies FeedPullJob, {
    expireInSeconds: ctx.feeds.runTimeout,
    retryLimit: FEED_RUN_RETRY_LIMIT,
    retryDelay: ctx.feeds.retryDelay,
    retryBackoff: true,
  })
  await ctx.knex('feed_runs').where({ id: runId }).update({ job_id: jobId })
  return jobId
}

/** Queues a run now: insert, send. Null when a run is already active. */
export async function queueRun(ctx: RunQueueContext, feedId: string, trigger: 'manual' | 'schedule'): Promise<FeedRunRow | null> {
  const run = await enqueueRun(ctx, feedId, trigger)
  if (!run) return null
  try {
    run.job_id = await sendRunJob(ctx, run.id)
  } catch (err) {
    await ctx.knex('feed_runs').where({ id: run.id }).update({ status: 'failed', error: `could not queue: ${(err as Error).message}`, finished_at: ctx.knex.fn.now() })
    throw err
  }
  return run
}

/** Queued runs older than a minute that never got a job (their sender crashed): send them now. */
export async function resendOrphanRuns(ctx: RunQueueContext): Promise<number> {
  const orphans = (await ctx.knex('feed_runs').where({ status: 'queued' }).whereNull('job_id').where('queued_at', '<', ctx.knex.raw(`now() - interval '1 minute'`)).select('id')) as { id: string }[]
  for (const { id } of orphans) await sendRunJob(ctx, id)
  return orphans.length
}
