import type { Knex } from 'knex'
import type { FeedRunRow } from './feed-dto.js'
import { EXCERPT_LIMITS, excerpt } from './excerpt.js'

/** A run's error often quotes the remote (a JSON parser's message, a plugin's): keep it short and on one line. */
const shortError = (error: string) => excerpt(error, EXCERPT_LIMITS.error)

/** The attempt no longer owns its run (timed out and re-claimed, or the feed was deleted): stop, write nothing. */
export class LeaseLostError extends Error {
  constructor() {
    super('this attempt no longer owns the run')
    this.name = 'LeaseLostError'
  }
}

/**
 * Claims a run for one attempt: a queued run, or a running one whose lease expired (its worker died). Returns
 * null when the run is finished or another live attempt owns it, so a re-delivered job does nothing.
 */
export async function claimRun(knex: Knex, runId: string, timeoutSeconds: number): Promise<FeedRunRow | null> {
  const [row] = (await knex('feed_runs')
    .where({ id: runId })
    .andWhere((q) => q.where({ status: 'queued' }).orWhere((r) => r.where({ status: 'running' }).andWhere('lease_expires_at', '<', knex.fn.now())))
    .update({
      status: 'running',
      started_at: knex.raw('coalesce(started_at, now())'),
      lease_token: knex.raw('gen_random_uuid()'),
      lease_expires_at: knex.raw(`now() + make_interval(secs => ?)`, [timeoutSeconds]),
      attempts: knex.raw('attempts + 1'),
    })
    .returning('*')) as FeedRunRow[]
  return row ?? null
}

/** Ends the attempt's run as succeeded or failed (only if it still owns it). */
export async function finishRun(knex: Knex, run: Pick<FeedRunRow, 'id' | 'lease_token'>, outcome: { status: 'succeeded' | 'failed'; error?: string }): Promise<void> {
  await knex('feed_runs')
    .where({ id: run.id, lease_token: run.lease_token })
    .update({ status: outcome.status, error: outcome.error === undefined ? null : shortError(outcome.error), finished_at: knex.fn.now(), lease_token: null, lease_expires_at: null })
}

/** Gives the run back to the queue for the job's retry, keeping what the failed attempt said. */
export async function releaseRun(knex: Knex, run: Pick<FeedRunRow, 'id' | 'lease_token'>, error: string): Promise<void> {
  await knex('feed_runs').where({ id: run.id, lease_token: run.lease_token }).update({ status: 'queued', error: shortError(error), lease_token: null, lease_expires_at: null })
}
