import type { Knex } from 'knex'
import type { Logger } from 'pino'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES, FEED_PULL_MAX_ATTEMPTS } from '../jobs/queues.js'
import type { FeedPullJob } from './run-queue.js'
import { reclaimExpiredRun } from './run-state.js'

export interface TakeoverContext {
  knex: Knex
  jobs: Pick<Jobs, 'enqueue'>
  log: Pick<Logger, 'info' | 'warn'>
}

/**
 * Seconds between two lease renewals of a running attempt, and between two sweeps for expired leases. A run
 * whose worker died is taken over at most `lease + lease / 2` seconds after its last renewal (90 s with the
 * default 60 s lease), plus a worker's polling interval.
 */
export const heartbeatSeconds = (leaseSeconds: number) => Math.max(1, Math.floor(leaseSeconds / 3))
export const sweepSeconds = (leaseSeconds: number) => Math.max(1, Math.floor(leaseSeconds / 2))

/**
 * Finds running runs whose lease expired — their worker died (`kill -9`, a lost machine) or lost the database
 * before it could give the run back — and queues each again with a new `feed.pull` job in the same
 * transaction, or fails it after its last attempt. Rows are locked with SKIP LOCKED, so sweepers on several
 * workers never take over one run twice; a claim needs the lease expired, so a live attempt is never touched.
 * The retry resumes from the run's last checkpoint; the store's (id, modified) dedupe absorbs what is re-read.
 */
export async function takeOverExpiredRuns(ctx: TakeoverContext): Promise<number> {
  const expired = await ctx
    .knex('feed_runs')
    .where({ status: 'running' })
    .andWhere('lease_expires_at', '<', ctx.knex.fn.now())
    .limit(100)
    .pluck('id')
  let taken = 0
  for (const runId of expired) {
    const status = await ctx.knex.transaction(async (trx) => {
      const locked = await trx('feed_runs').where({ id: runId }).forUpdate().skipLocked().first('id')
      if (!locked) return null
      const next = await reclaimExpiredRun(trx, runId, FEED_PULL_MAX_ATTEMPTS)
      if (next === 'queued') await ctx.jobs.enqueue(trx, QUEUES.feedPull, { runId } satisfies FeedPullJob)
      return next
    })
    if (status === 'queued')
      ctx.log.warn({ runId }, 'feed run lost its worker (lease expired); queued again for another worker')
    if (status === 'failed') ctx.log.warn({ runId }, 'feed run lost its worker on its last attempt; failed')
    if (status) taken++
  }
  return taken
}
