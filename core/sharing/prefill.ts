import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import { isJsonObject } from '../stix/json-object.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { StoreResult } from '../store/index.js'
import { AnonymizedWriter, variantKey } from './anonymized-store.js'
import { readSharedPage } from './pages.js'
import { resolveCollectionContexts } from './reader-context.js'

/**
 * Prefill of the stored anonymization output (see anonymized-store.ts): after an ingest, the collection's
 * newest objects are read once for each anonymization level its owner's partners read it at, through the very
 * page reader a partner's TAXII or REST read uses, so the partner's first read is served from stored output.
 * Nothing is released here: the pages are discarded, only what the reader would have stored is written.
 */

/** Job payload of `anonymize.prefill`. */
interface PrefillJob {
  collectionId: string
}

/** A job's data as {@link enqueuePrefill} sent it. */
export function isPrefillJob(data: unknown): data is PrefillJob {
  return isJsonObject(data) && typeof data.collectionId === 'string'
}

/**
 * Enqueues the prefill of a collection in the transaction that added objects to it (`results`: what the store
 * answered): one insert when something was stored, and none while a prefill of the collection is still waiting
 * (the queue's `stately` policy, keyed by collection).
 */
export async function enqueuePrefill(
  trx: Knex.Transaction,
  jobs: Pick<Jobs, 'enqueue'>,
  collectionId: string,
  results: readonly Pick<StoreResult, 'status'>[],
): Promise<void> {
  if (!results.some((r) => r.status !== 'rejected')) return
  await jobs.enqueue(trx, QUEUES.anonymizePrefill, { collectionId } satisfies PrefillJob, {
    singletonKey: collectionId,
  })
}

/** Newest memberships read per job: older objects are filled by their first reader, as without prefill. */
const PREFILL_LIMIT = 50_000
const PAGE_SIZE = 1000

interface PrefillDeps {
  knex: Knex
  registry: PluginRegistry
  onError: (err: unknown) => void
}

export interface PrefillOptions {
  /** Newest memberships read (default {@link PREFILL_LIMIT}). */
  limit?: number
  /** Aborted when the app closes: the job stops between pages (and is retried) instead of outliving the pools. */
  signal?: AbortSignal
}

/**
 * One reader organization per stored-output variant the collection is read with: the owner's trustees, one
 * per anonymization level (skipping `none`), kept only when the read pipeline itself resolves the collection
 * as visible to them and anonymized.
 */
async function prefillReaders(deps: PrefillDeps, collectionId: string): Promise<string[]> {
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
  return [...readers.values()]
}

/** Exclusive lower bound on `date_added` that leaves the newest {@link PREFILL_LIMIT} memberships (at most). */
async function newestBound(knex: Knex, collectionId: string, limit: number): Promise<string | undefined> {
  const { rows } = await knex.raw<{ rows: { bound: string }[] }>(
    `SELECT ${formatTimestampSql('date_added')} AS bound FROM collection_objects
      WHERE collection_id = ? ORDER BY date_added DESC OFFSET ? LIMIT 1`,
    [collectionId, limit],
  )
  return rows[0]?.bound
}

/**
 * Fills the stored output of a collection's newest objects for every variant its partners read it with.
 * Returns the number of outputs written. Already stored outputs are joined by the page query and not redone.
 */
export async function prefillCollection(
  deps: PrefillDeps,
  collectionId: string,
  { limit = PREFILL_LIMIT, signal }: PrefillOptions = {},
): Promise<number> {
  signal?.throwIfAborted()
  const readers = await prefillReaders(deps, collectionId)
  if (!readers.length) return 0
  const addedAfter = await newestBound(deps.knex, collectionId, limit)
  let written = 0
  // A writer of its own, flushed after each page: the job never outruns the database nor the readers' queue.
  const writer = new AnonymizedWriter(deps.knex, deps.onError)
  const storedOutput = {
    add: (entries: Parameters<AnonymizedWriter['add']>[0]) => {
      written += entries.length
      writer.add(entries)
    },
  }
  for (const orgId of readers) {
    let after: { dateAdded: string; seq: string } | undefined
    for (;;) {
      signal?.throwIfAborted()
      const page = await readSharedPage({
        knex: deps.knex,
        registry: deps.registry,
        principal: { orgId },
        filter: { collectionIds: [collectionId], addedAfter, afterDateAdded: after },
        order: 'date_added',
        limit: PAGE_SIZE,
        textOnly: true,
        storedOutput,
      })
      await writer.flush()
      if (!page.more || !page.last) break
      after = { dateAdded: page.last.date_added, seq: page.last.seq }
    }
  }
  return written
}
