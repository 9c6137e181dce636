import type { Knex } from 'knex'
import type { FeedRunRow } from '../model/tables.js'
import { EXCERPT_LIMITS, excerpt } from './excerpt.js'

/** A run's error often quotes the remote (a JSON parser's message, a plugin's): keep it short and on one line. */
const shortError = (error: string) => excerpt(error, EXCERPT_LIMITS.error)

/** The run's counters, as columns of `feed_runs`. */
export const RUN_COUNTER_COLUMNS = ['fetched', 'new_objects', 'new_versions', 'unchanged', 'rejected'] as const
type RunCounter = (typeof RUN_COUNTER_COLUMNS)[number]
/** Their names in the API and in `attempt_counts`. */
export const RUN_COUNTERS = {
  fetched: 'fetched',
  new_objects: 'new',
  new_versions: 'newVersions',
  unchanged: 'unchanged',
  rejected: 'rejected',
} as const satisfies Record<RunCounter, string>
export type Counts = Record<RunCounter, number>
export const zeroCounts = (): Counts => ({ fetched: 0, new_objects: 0, new_versions: 0, unchanged: 0, rejected: 0 })

/**
 * The current attempt's items since its last checkpoint leave the run's `fetched`, `unchanged` and `rejected`:
 * the next attempt resumes from that checkpoint and fetches them again. `new` and `new_versions` stay: those
 * objects were stored, and the store counts an object new only once (the retry sees them unchanged, which is
 * why the API derives the run's `unchanged` from the others, see `feedRunDto`).
 */
function forgetUncheckpointed(knex: Knex): Record<string, Knex.Raw> {
  const columns = Object.fromEntries(
    ['fetched', 'unchanged', 'rejected'].map((c) => [
      c,
      knex.raw(`greatest(0, ${c} - coalesce((uncheckpointed->>'${c}')::int, 0))`),
    ]),
  )
  return { ...columns, uncheckpointed: knex.raw('?::jsonb', [JSON.stringify(zeroCounts())]) }
}

/** The attempt no longer owns its run (timed out and re-claimed, or the feed was deleted): stop, write nothing. */
export class LeaseLostError extends Error {
  constructor() {
    super('this attempt no longer owns the run')
    this.name = 'LeaseLostError'
  }
}

/**
 * Claims a run for one attempt: a queued run, or a running one whose lease expired (its worker died). Returns
 * null when the run is finished or another live attempt owns it, so a re-delivered job does nothing. The lease
 * lasts `leaseSeconds`; the attempt renews it while it runs (`renewLease`).
 */
export async function claimRun(knex: Knex, runId: string, leaseSeconds: number): Promise<FeedRunRow | null> {
  const [row] = await knex('feed_runs')
    .where({ id: runId })
    .andWhere((q) =>
      q
        .where({ status: 'queued' })
        .orWhere((r) => r.where({ status: 'running' }).andWhere('lease_expires_at', '<', knex.fn.now())),
    )
    .update({
      status: 'running',
      started_at: knex.raw('coalesce(started_at, now())'),
      lease_token: knex.raw('gen_random_uuid()'),
      lease_expires_at: knex.raw(`now() + make_interval(secs => ?)`, [leaseSeconds]),
      attempts: knex.raw('attempts + 1'),
      // an entry of counters for this attempt; the batch writer keeps the last entry up to date
      attempt_counts: knex.raw(
        `attempt_counts || jsonb_build_array(jsonb_build_object('attempt', attempts + 1, 'fetched', 0, 'new', 0, 'newVersions', 0, 'unchanged', 0, 'rejected', 0))`,
      ),
      ...forgetUncheckpointed(knex),
    })
    .returning('*')
  return row ?? null
}

/**
 * Ends the attempt's run (only if it still owns it): `completed` becomes `succeeded`, or `partial` when any item
 * was rejected; `failed` keeps what was stored (its counters included: nothing will fetch it again).
 * Returns the final status, or null when the attempt no longer owned the run.
 */
export async function finishRun(
  knex: Knex,
  run: Pick<FeedRunRow, 'id' | 'lease_token'>,
  outcome: { status: 'completed' | 'failed'; error?: string },
): Promise<FeedRunRow['status'] | null> {
  const status =
    outcome.status === 'failed' ? 'failed' : knex.raw(`CASE WHEN rejected > 0 THEN 'partial' ELSE 'succeeded' END`)
  const [row] = await knex('feed_runs')
    .where({ id: run.id, lease_token: run.lease_token })
    .update({
      status,
      error: outcome.error === undefined ? null : shortError(outcome.error),
      finished_at: knex.fn.now(),
      lease_token: null,
      lease_expires_at: null,
      uncheckpointed: knex.raw('?::jsonb', [JSON.stringify(zeroCounts())]),
    })
    .returning('status')
  return row?.status ?? null
}

/**
 * Stores the number of items the source expects to yield (a `total` feed item), while the attempt owns the run.
 * Anything but a non-negative safe integer is ignored: progress is informational, a plugin's slip must not fail a run.
 */
export async function recordTotal(
  knex: Knex,
  run: Pick<FeedRunRow, 'id' | 'lease_token'>,
  total: unknown,
): Promise<void> {
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) return
  await knex('feed_runs').where({ id: run.id, lease_token: run.lease_token }).update({ total })
}

/** Gives the run back to the queue for the job's retry, keeping what the failed attempt said. */
export async function releaseRun(
  knex: Knex,
  run: Pick<FeedRunRow, 'id' | 'lease_token'>,
  error: string,
): Promise<void> {
  await knex('feed_runs')
    .where({ id: run.id, lease_token: run.lease_token })
    .update({
      status: 'queued',
      error: shortError(error),
      lease_token: null,
      lease_expires_at: null,
      ...forgetUncheckpointed(knex),
    })
}

/**
 * Extends the attempt's lease by `leaseSeconds` from now. False when the attempt no longer owns the run (it
 * was taken over, finished, or its feed deleted): the attempt must stop.
 */
export async function renewLease(
  knex: Knex,
  run: Pick<FeedRunRow, 'id' | 'lease_token'>,
  leaseSeconds: number,
): Promise<boolean> {
  const updated = await knex('feed_runs')
    .where({ id: run.id, lease_token: run.lease_token, status: 'running' })
    .update({ lease_expires_at: knex.raw(`now() + make_interval(secs => ?)`, [leaseSeconds]) })
  return updated > 0
}

/**
 * Puts a run whose lease expired (its worker died, or lost the database before it could release the run) back
 * to `queued`, as `releaseRun` would have, or fails it once it used `maxAttempts`. In the caller's transaction,
 * on a row it locked. Returns the new status, or null when the run is no longer an expired running one.
 */
export async function reclaimExpiredRun(
  trx: Knex.Transaction,
  runId: string,
  maxAttempts: number,
): Promise<'queued' | 'failed' | null> {
  const [row] = await trx('feed_runs')
    .where({ id: runId, status: 'running' })
    .andWhere('lease_expires_at', '<', trx.fn.now())
    .update({
      status: trx.raw(`CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END`, [maxAttempts]),
      error: trx.raw(`CASE WHEN attempts >= ? THEN ? ELSE ? END`, [
        maxAttempts,
        shortError(`gave up after ${maxAttempts} attempts: the last worker stopped renewing its lease`),
        'the worker running this attempt stopped renewing its lease; taken over',
      ]),
      finished_at: trx.raw(`CASE WHEN attempts >= ? THEN now() END`, [maxAttempts]),
      lease_token: null,
      lease_expires_at: null,
      ...forgetUncheckpointed(trx),
    })
    .returning('status')
  return row?.status === 'queued' || row?.status === 'failed' ? row.status : null
}

/**
 * Fails a run whose `feed.pull` job was dead-lettered, unless a live attempt owns it (a takeover already runs
 * it again). Returns true when the run was failed here.
 */
export async function failAbandonedRun(knex: Knex, runId: string, error: string): Promise<boolean> {
  const updated = await knex('feed_runs')
    .where({ id: runId })
    .andWhere((q) =>
      q
        .where({ status: 'queued' })
        .orWhere((r) =>
          r
            .where({ status: 'running' })
            .andWhere((l) => l.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', knex.fn.now())),
        ),
    )
    .update({
      status: 'failed',
      error: shortError(error),
      finished_at: knex.fn.now(),
      lease_token: null,
      lease_expires_at: null,
      uncheckpointed: knex.raw('?::jsonb', [JSON.stringify(zeroCounts())]),
    })
  return updated > 0
}
