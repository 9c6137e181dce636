import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import { isJsonObject } from '../stix/json-object.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { StoreResult } from '../store/index.js'
import { AnonymizedWriter, variantKey } from './anonymized-store.js'
import { readSharedPage } from './pages.js'
import { resolveCollectionContexts } from './reader-context.js'
import { advanceWatermark, horizonStart, readWatermark, type KeysetPosition } from './prefill-watermarks.js'

/**
 * Prefill of the stored anonymization output (see anonymized-store.ts): after an ingest, a collection's objects
 * are read once for each anonymization level its owner's partners read it at, through the very page reader a
 * partner's TAXII or REST read uses, so the partner's first read is served from stored output. Nothing is
 * released here: the pages are discarded, only what the reader would have stored is written.
 *
 * The fill is progressive: per collection and variant a watermark (prefill-watermarks.ts) records the last
 * membership read, a job reads at most {@link PREFILL_BATCH} memberships per variant after it, and enqueues
 * its own continuation while more remain. A variant without watermark (a new partner level) starts at the
 * newest {@link PREFILL_HORIZON} memberships.
 */

/** Job payload of `anonymize.prefill`. */
interface PrefillJob {
  collectionId: string
}

/** A job's data as {@link enqueuePrefill} sent it. */
export function isPrefillJob(data: unknown): data is PrefillJob {
  return isJsonObject(data) && typeof data.collectionId === 'string'
}

/** One insert, or none while a prefill of the collection is waiting (the queue's `stately` policy, keyed by collection). */
async function sendPrefill(trx: Knex.Transaction, jobs: Pick<Jobs, 'enqueue'>, collectionId: string): Promise<void> {
  await jobs.enqueue(trx, QUEUES.anonymizePrefill, { collectionId } satisfies PrefillJob, {
    singletonKey: collectionId,
  })
}

/**
 * Enqueues the prefill of a collection in the transaction that added objects to it (`results`: what the store
 * answered), when something was stored.
 */
export async function enqueuePrefill(
  trx: Knex.Transaction,
  jobs: Pick<Jobs, 'enqueue'>,
  collectionId: string,
  results: readonly Pick<StoreResult, 'status'>[],
): Promise<void> {
  if (results.some((r) => r.status !== 'rejected')) await sendPrefill(trx, jobs, collectionId)
}

/**
 * Enqueues the prefill of every collection `organizationId` owns, in the transaction that created one of its trust
 * relationships or moved it to another level: the trustee's level may be a variant nothing has filled yet, whose
 * first read would otherwise anonymize every page. The job itself skips what the trustee cannot see and what is
 * already filled, so a collection that gains nothing costs one short job.
 */
export async function enqueueOwnerPrefill(
  trx: Knex.Transaction,
  jobs: Pick<Jobs, 'enqueue'>,
  organizationId: string,
): Promise<void> {
  const collections: string[] = await trx('collections').where({ organization_id: organizationId }).pluck('id')
  for (const id of collections) await sendPrefill(trx, jobs, id)
}

/** Memberships one job reads per variant: seconds of work (not minutes), then a continuation job takes over. */
const PREFILL_BATCH = 100_000
/** Newest memberships a variant without watermark starts from: older history is filled by its first reader. */
const PREFILL_HORIZON = 1_000_000
const PAGE_SIZE = 1000

interface PrefillDeps {
  knex: Knex
  registry: PluginRegistry
  /** Where the continuation of an unfinished fill is enqueued. */
  jobs: Pick<Jobs, 'enqueue'>
  onError: (err: unknown) => void
}

export interface PrefillOptions {
  /** Memberships read per variant by this job (default {@link PREFILL_BATCH}). */
  batch?: number
  /** Newest memberships a variant without watermark starts from (default {@link PREFILL_HORIZON}). */
  horizon?: number
  /** Aborted when the app closes: the job stops between pages (and is retried) instead of outliving the pools. */
  signal?: AbortSignal
}

export interface PrefillOutcome {
  /** Outputs computed and handed to the store. */
  written: number
  /** Objects the pages released (computed or found stored). */
  read: number
  /** More remains after this job's batch: a continuation was enqueued (or one was already waiting). */
  continued: boolean
}

interface PrefillReader {
  variant: string
  orgId: string
}

/**
 * One reader organization per stored-output variant the collection is read with: the owner's trustees, one
 * per anonymization level (skipping `none`), kept only when the read pipeline itself resolves the collection
 * as visible to them and anonymized.
 */
async function prefillReaders(deps: PrefillDeps, collectionId: string): Promise<PrefillReader[]> {
  const { rows: trustees } = await deps.knex.raw<{ rows: { trustee_org_id: string }[] }>(
    `SELECT DISTINCT ON (tl.anonymization_level) tr.trustee_org_id
       FROM collections c
       JOIN trust_relationships tr ON tr.trustor_org_id = c.organization_id
       JOIN trust_levels tl ON tl.id = tr.trust_level_id
      WHERE c.id = ? AND tl.anonymization_level <> 'none'
      ORDER BY tl.anonymization_level, tr.trustee_org_id`,
    [collectionId],
  )
  const anonymizer = deps.registry.defaultAnonymizer()
  const readers = new Map<string, string>()
  for (const { trustee_org_id: readerOrgId } of trustees) {
    const context = (await resolveCollectionContexts(deps.knex, readerOrgId, [collectionId])).get(collectionId)
    if (!context || context.anonymizationLevel === 'none') continue
    const level = context.anonymizationLevel
    const variant = variantKey(anonymizer, { level, producerOrgId: context.ownerOrgId, recipientOrgId: readerOrgId })
    // A strategy that names no variant stores nothing: there is nothing to fill.
    if (variant !== null && !readers.has(variant)) readers.set(variant, readerOrgId)
  }
  return [...readers].map(([variant, orgId]) => ({ variant, orgId }))
}

interface VariantFill {
  written: number
  read: number
  /** The batch ended before the collection did. */
  more: boolean
}

/** Reads up to `batch` memberships after the variant's watermark, moving it after each page. */
async function fillVariant(
  deps: PrefillDeps,
  collectionId: string,
  reader: PrefillReader,
  options: Required<Pick<PrefillOptions, 'batch' | 'horizon'>> & Pick<PrefillOptions, 'signal'>,
): Promise<VariantFill> {
  const { knex } = deps
  let after: KeysetPosition | undefined =
    (await readWatermark(knex, collectionId, reader.variant)) ??
    (await horizonStart(knex, collectionId, options.horizon))
  const fill = { written: 0, read: 0, more: false }
  // A writer of its own: the job never outruns the database nor the readers' queue. A page's outputs are
  // written while the next page is read (one page in flight), and the watermark moves past a page only once
  // its outputs are written.
  const writer = new AnonymizedWriter(knex, deps.onError)
  const storedOutput = {
    add: (entries: Parameters<AnonymizedWriter['add']>[0]) => {
      fill.written += entries.length
      writer.add(entries)
    },
  }
  let marking: Promise<void> = Promise.resolve()
  try {
    for (let left = options.batch; ;) {
      options.signal?.throwIfAborted()
      const limit = Math.min(PAGE_SIZE, left)
      const page = await readSharedPage({
        knex,
        registry: deps.registry,
        principal: { orgId: reader.orgId },
        filter: { collectionIds: [collectionId], afterDateAdded: after },
        order: 'date_added',
        limit,
        textOnly: true,
        storedOutput,
      })
      await marking
      fill.read += page.objects.length
      if (!page.last) break
      const position = { dateAdded: page.last.date_added, seq: page.last.seq }
      after = position
      marking = writer.flush().then(() => advanceWatermark(knex, collectionId, reader.variant, position))
      // Awaited on the next turn of the loop or below; a failure meanwhile must not go unhandled.
      marking.catch(() => undefined)
      left -= limit
      if (!page.more) break
      if (left <= 0) {
        fill.more = true
        break
      }
    }
    await marking
  } finally {
    // Aborted or failed: what was read is still written (the next job starts after the watermark it left).
    await writer.flush()
    await marking.catch(() => undefined)
  }
  return fill
}

/**
 * Whether a membership the variant's reader would receive lies after its watermark: an ingest whose job was
 * coalesced into this one while it waited, but which committed after this job read past its end.
 */
async function arrivedMeanwhile(deps: PrefillDeps, collectionId: string, reader: PrefillReader): Promise<boolean> {
  const after = await readWatermark(deps.knex, collectionId, reader.variant)
  if (!after) return false
  const page = await readSharedPage({
    knex: deps.knex,
    registry: deps.registry,
    principal: { orgId: reader.orgId },
    filter: { collectionIds: [collectionId], afterDateAdded: after },
    order: 'date_added',
    limit: 1,
    textOnly: true,
  })
  return page.last !== null
}

/**
 * Fills the stored output of a collection's objects after each variant's watermark, at most `batch` per variant,
 * and enqueues a continuation when more remain. Already stored outputs are joined by the page query and not
 * redone.
 */
export async function prefillCollection(
  deps: PrefillDeps,
  collectionId: string,
  { batch = PREFILL_BATCH, horizon = PREFILL_HORIZON, signal }: PrefillOptions = {},
): Promise<PrefillOutcome> {
  signal?.throwIfAborted()
  const readers = await prefillReaders(deps, collectionId)
  const outcome: PrefillOutcome = { written: 0, read: 0, continued: false }
  for (const reader of readers) {
    const fill = await fillVariant(deps, collectionId, reader, { batch, horizon, signal })
    outcome.written += fill.written
    outcome.read += fill.read
    outcome.continued ||= fill.more
  }
  for (const reader of readers) {
    if (outcome.continued) break
    outcome.continued = await arrivedMeanwhile(deps, collectionId, reader)
  }
  // While this job is active, the stately queue takes one waiting job per collection: either this continuation
  // or an ingest's job already waiting, which starts from the same watermarks, so no work is lost either way.
  if (outcome.continued) await deps.knex.transaction((trx) => sendPrefill(trx, deps.jobs, collectionId))
  return outcome
}
