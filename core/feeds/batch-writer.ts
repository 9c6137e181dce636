import type { Knex } from 'knex'
import type { StixObject } from '../plugin-api/index.js'
import type { ObjectText } from '../store/index.js'
import type { FeedRow, FeedRunRejection, FeedRunRow } from '../model/tables.js'
import type { StoreObjects } from './store-port.js'
import type { PreparedBatch, StoreResult } from '../store/store-objects.js'
import { LeaseLostError, RUN_COUNTER_COLUMNS, RUN_COUNTERS, zeroCounts, type Counts } from './run-state.js'
import { EXCERPT_LIMITS, excerpt } from './excerpt.js'
import type { PlatformMetrics } from '../infra/metrics.js'
import type { Jobs } from '../infra/jobs.js'
import { enqueuePrefill } from '../sharing/prefill.js'

const KEPT_REJECTIONS = 20

/** Only a short, one-line excerpt of what the remote sent is kept (see {@link excerpt}). */
const shortened = (r: FeedRunRejection): FeedRunRejection => ({
  ...(r.ref === undefined ? {} : { ref: excerpt(r.ref, EXCERPT_LIMITS.ref) }),
  reason: excerpt(r.reason, EXCERPT_LIMITS.reason),
})

export interface BatchWriterOptions {
  knex: Knex
  run: Pick<FeedRunRow, 'id' | 'lease_token'>
  feed: Pick<FeedRow, 'id' | 'organization_id' | 'collection_id' | 'default_tlp'>
  storeObjects: StoreObjects
  batchSize: number
  /** Counts the objects of each committed batch (absent: not counted). */
  metrics?: Pick<PlatformMetrics, 'objectsIngested'>
  /** Enqueues the prefill of the stored anonymization output of each batch (absent: not enqueued). */
  jobs?: Pick<Jobs, 'enqueue'>
}

/**
 * Buffers a run's items and writes them in batches, one transaction each: the objects (through the STIX
 * store), the run's counters and first rejections, and — when the batch ends with a checkpoint — the feed's
 * checkpoint. So a checkpoint is never stored without every object it covers, and a batch is all or nothing.
 *
 * Pipelined, depth 1: a full batch is prepared (validated, serialised, hashed: the store's CPU half) while the
 * previous batch's transaction is still in flight; its own transaction starts only once it is prepared and the
 * previous one has committed. The caller goes on parsing the next batch as soon as the previous transaction has
 * committed, without waiting for this batch's unchanged look-up and validation: on a re-ingest, that look-up
 * was where the thread waited. Transactions therefore commit strictly in order, one at a time; a failed
 * preparation or transaction fails the next call (or {@link settle}), and nothing after it is written.
 */
export function createBatchWriter(options: BatchWriterOptions) {
  const { knex, run, feed, storeObjects, batchSize } = options
  /** The objects of the batch being filled, some as the source's text of them (see `FeedObjectText`). */
  let objects: (StixObject | ObjectText)[] = []
  let rejections: FeedRunRejection[] = []
  let keptRejections = 0
  /** The last flushed batch's preparation and transaction, until someone awaits it. */
  let inflight: Promise<void> | undefined

  async function settle(): Promise<void> {
    const pending = inflight
    inflight = undefined
    if (pending) await pending
  }

  /** This attempt's counters, and those since its last checkpoint (see migrations/0030). Committed values only. */
  let attempt = zeroCounts()
  let sinceCheckpoint = zeroCounts()
  const plus = (a: Counts, b: Counts): Counts => {
    const sum = zeroCounts()
    for (const c of RUN_COUNTER_COLUMNS) sum[c] = a[c] + b[c]
    return sum
  }
  const apiCounts = (c: Counts) =>
    Object.fromEntries(RUN_COUNTER_COLUMNS.map((column) => [RUN_COUNTERS[column], c[column]]))

  async function write(
    count: number,
    rejected: FeedRunRejection[],
    prepared: PreparedBatch | undefined,
    checkpoint?: string,
  ): Promise<void> {
    let nextAttempt = attempt
    let nextSince = sinceCheckpoint
    let stored: StoreResult[] = []
    await knex.transaction(async (trx) => {
      const owned = await trx('feed_runs')
        .where({ id: run.id, lease_token: run.lease_token })
        .forUpdate()
        .first('attempts')
      if (!owned) throw new LeaseLostError()
      const results = prepared
        ? await storeObjects.write(trx, prepared, {
            collectionId: feed.collection_id,
            producerOrgId: feed.organization_id,
          })
        : []
      stored = results
      if (options.jobs) await enqueuePrefill(trx, options.jobs, feed.collection_id, results)
      const counts = { new: 0, 'new-version': 0, unchanged: 0, rejected: 0 }
      for (const r of results) {
        counts[r.status]++
        if (r.status === 'rejected')
          rejected.push({ ref: r.ref ?? r.id ?? `#${r.index}`, reason: r.message ?? 'invalid object' })
      }
      const batch: Counts = {
        fetched: count + rejected.length - counts.rejected,
        new_objects: counts.new,
        new_versions: counts['new-version'],
        unchanged: counts.unchanged,
        rejected: rejected.length,
      }
      nextAttempt = plus(attempt, batch)
      nextSince = checkpoint === undefined ? plus(sinceCheckpoint, batch) : zeroCounts()
      const kept = rejected.slice(0, Math.max(0, KEPT_REJECTIONS - keptRejections)).map(shortened)
      await trx('feed_runs')
        .where({ id: run.id })
        .update({
          ...Object.fromEntries(RUN_COUNTER_COLUMNS.map((c) => [c, trx.raw('?? + ?', [c, batch[c]])])),
          attempt_counts: trx.raw(`jsonb_set(attempt_counts, '{-1}', ?::jsonb)`, [
            JSON.stringify({ attempt: owned.attempts, ...apiCounts(nextAttempt) }),
          ]),
          uncheckpointed: trx.raw('?::jsonb', [JSON.stringify(nextSince)]),
          ...(kept.length ? { rejections: trx.raw('rejections || ?::jsonb', [JSON.stringify(kept)]) } : {}),
        })
      if (checkpoint !== undefined) await trx('feeds').where({ id: feed.id }).update({ checkpoint })
      keptRejections += kept.length
    })
    options.metrics?.objectsIngested('feed', stored)
    attempt = nextAttempt
    sinceCheckpoint = nextSince
  }

  async function flush(checkpoint?: string): Promise<void> {
    if (!objects.length && !rejections.length && checkpoint === undefined) return
    const batch = objects
    const rejected = rejections
    objects = []
    rejections = []
    // Screening (or, for objects given as text, deriving and hashing the stored text) runs now; the unchanged
    // look-up, the parsing and screening of what it missed, and validation go on while the caller reads on.
    const preparing = batch.length
      ? storeObjects.prepare({
          db: knex,
          objects: batch,
          defaultTlp: feed.default_tlp === 'none' ? undefined : feed.default_tlp,
          producerOrgId: feed.organization_id,
          attribution: 'as-given',
        })
      : Promise.resolve(undefined)
    const previous = inflight
    const pending = (async () => {
      const [before, prepared] = await Promise.allSettled([previous, preparing])
      if (before.status === 'rejected') throw before.reason // the previous batch's failure wins: it happened first
      if (prepared.status === 'rejected') throw prepared.reason
      await write(batch.length, rejected, prepared.value, checkpoint)
    })()
    pending.catch(() => {}) // observed by the next flush or settle()
    inflight = pending
    if (previous) await previous // at most this batch in flight when the caller goes on
  }

  return {
    /**
     * Adds an object, or the source's text of one (parsed by the store only if not found stored); writes the
     * batch when it is full (the write completes in the background).
     */
    async object(obj: StixObject | ObjectText): Promise<void> {
      objects.push(obj)
      if (objects.length >= batchSize) await flush()
    },
    /** Records an item the source could not turn into an object. */
    async rejected(rejection: FeedRunRejection): Promise<void> {
      rejections.push(rejection)
      if (rejections.length >= batchSize) await flush()
    },
    /** Writes everything so far together with the checkpoint that covers it (completes in the background). */
    checkpoint: (checkpoint: string) => flush(checkpoint),
    /** Writes what is buffered and waits until every batch has committed (end of a successful run). */
    async flush(): Promise<void> {
      await flush()
      await settle()
    },
    /** Waits for the batch in flight, if any; throws its error. Nothing buffered is written. */
    settle,
    /** Prior attempts' kept rejections count towards the limit. */
    resumeFrom(alreadyKept: number) {
      keptRejections = alreadyKept
    },
  }
}
