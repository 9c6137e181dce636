import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import type { FeedRunRow } from '../model/tables.js'
import type { FeedRunTrigger } from '../model/vocabularies.js'

export interface RunQueueContext {
  knex: Knex
  jobs: Pick<Jobs, 'enqueue'>
}

/** Job payload of `feed.pull`: the run it executes (the run row holds everything else). */
export interface FeedPullJob {
  runId: string
}

/**
 * Inserts a queued run, or returns null when the feed already has a queued or running one (the partial unique
 * index `feed_runs_one_active_per_feed` decides, so concurrent callers race safely).
 */
export async function insertQueuedRun(
  db: Knex | Knex.Transaction,
  feedId: string,
  trigger: FeedRunTrigger,
): Promise<FeedRunRow | null> {
  // ON CONFLICT rather than catching the violation: inside the caller's transaction an error would abort it.
  const { rows } = await db.raw<{ rows: FeedRunRow[] }>(
    `INSERT INTO feed_runs (feed_id, trigger, status) VALUES (?, ?, 'queued')
     ON CONFLICT (feed_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING *`,
    [feedId, trigger],
  )
  return rows[0] ?? null
}

/** A queued run and its `feed.pull` job, in the caller's transaction: both commit, or neither. Null when a run is already active. */
export async function enqueueRun(
  jobs: RunQueueContext['jobs'],
  trx: Knex.Transaction,
  feedId: string,
  trigger: FeedRunTrigger,
): Promise<FeedRunRow | null> {
  const run = await insertQueuedRun(trx, feedId, trigger)
  if (run) await jobs.enqueue(trx, QUEUES.feedPull, { runId: run.id } satisfies FeedPullJob)
  return run
}

/** Queues a run now, in its own transaction. Null when a run is already active. */
export async function queueRun(
  ctx: RunQueueContext,
  feedId: string,
  trigger: FeedRunTrigger,
): Promise<FeedRunRow | null> {
  return ctx.knex.transaction((trx) => enqueueRun(ctx.jobs, trx, feedId, trigger))
}
