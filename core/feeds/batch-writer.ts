import type { Knex } from 'knex'
import type { StixObject } from '../plugin-api/index.js'
import type { FeedRow, FeedRunRow } from './feed-dto.js'
import type { StoreObjects } from './store-port.js'
import { LeaseLostError } from './run-state.js'

const KEPT_REJECTIONS = 20

export interface Rejection {
  ref?: string
  reason: string
}

export interface BatchWriterOptions {
  knex: Knex
  run: Pick<FeedRunRow, 'id' | 'lease_token'>
  feed: Pick<FeedRow, 'id' | 'organization_id' | 'collection_id' | 'default_tlp'>
  storeObjects: StoreObjects
  batchSize: number
}

/**
 * Buffers a run's items and writes them in batches, one transaction each: the objects (through the STIX
 * store), the run's counters and first rejections, and — when the batch ends with a checkpoint — the feed's
 * checkpoint. So a checkpoint is never stored without every object it covers, and a batch is all or nothing.
 */
export function createBatchWriter(options: BatchWriterOptions) {
  const { knex, run, feed, storeObjects, batchSize } = options
  let objects: StixObject[] = []
  let rejections: Rejection[] = []
  let keptRejections = 0

  async function flush(checkpoint?: string): Promise<void> {
    if (!objects.length && !rejections.length && checkpoint === undefined) return
    const batch = objects
    const rejected = rejections
    objects = []
    rejections = []
    await knex.transaction(async (trx) => {
      const owned = await trx('feed_runs').where({ id: run.id, lease_token: run.lease_token }).forUpdate().first('id')
      if (!owned) throw new LeaseLostError()
      const results = batch.length
        ? await storeObjects({ db: trx, collectionId: feed.collection_id, producerOrgId: feed.organization_id, objects: batch, defaultTlp: feed.default_tlp })
        : []
      const counts = { new: 0, 'new-version': 0, unchanged: 0, rejected: 0 }
      for (const r of results) {
        counts[r.status]++
        if (r.status === 'rejected') rejected.push({ ref: r.id ?? `#${r.index}`, reason: r.message ?? 'invalid object' })
      }
      const kept = rejected.slice(0, Math.max(0, KEPT_REJECTIONS - keptRejections))
      keptRejections += kept.length
      await trx('feed_runs')
        .where({ id: run.id })
        .update({
          fetched: trx.raw('fetched + ?', [batch.length + rejected.length - counts.rejected]),
          new_objects: trx.raw('new_objects + ?', [counts.new]),
          new_versions: trx.raw('new_versions + ?', [counts['new-version']]),
          unchanged: trx.raw('unchanged + ?', [counts.unchanged]),
          rejected: trx.raw('rejected + ?', [rejected.length]),
          ...(kept.length ? { rejections: trx.raw('rejections || ?::jsonb', [JSON.stringify(kept)]) } : {}),
        })
      if (checkpoint !== undefined) await trx('feeds').where({ id: feed.id }).update({ checkpoint })
    })
  }

  return {
    /** Adds an object; writes the batch when it is full. */
    async object(obj: StixObject): Promise<void> {
      objects.push(obj)
      if (objects.length >= batchSize) await flush()
    },
    /** Records an item the source could not turn into an object. */
    async rejected(rejection: Rejection): Promise<void> {
      rejections.push(rejection)
      if (rejections.length >= batchSize) await flush()
    },
    /** Writes everything so far together with the checkpoint that covers it. */
    checkpoint: (checkpoint: string) => flush(checkpoint),
    /** Writes what is buffered (end of a successful run). */
    flush: () => flush(),
    /** Prior attempts' kept rejections count towards the limit. */
    resumeFrom(alreadyKept: number) {
      keptRejections = alreadyKept
    },
  }
}
