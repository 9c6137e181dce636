import type { Knex } from 'knex'
import type { QueryResultRow } from 'pg'
import { runPipelinedTransaction } from '../infra/pipelined-transaction.js'
import {
  collectionContextsQuery,
  toCollectionContexts,
  type CollectionContext,
  type CollectionContextRow,
} from './reader-context.js'
import type { SharedRow } from './shared-rows.js'

/** Builds the page query for the reader's collection contexts with `db`; null when no collection is left. */
export type PageQuery = (contexts: ReadonlyMap<string, CollectionContext>, db: Knex) => Knex.QueryBuilder | null

/**
 * Row estimates through the TLP filter and the last-version check make the planner prefer hashing the whole
 * collection and sorting it (≈ 300 ms at 100k objects) over walking the keyset index (≈ 6 ms): a page must
 * never cost more than its own rows, so sorting is ruled out for the page's transaction only.
 */
const PAGE_SETTINGS = ['SET LOCAL enable_sort = off']

/**
 * How a page is read. `request`: one page for one client among many (TAXII, REST), planned without parallel
 * workers — with sixteen readers on two cores a worker finds no idle core, and its start is paid on every page
 * (TAXII first read at 1,000,000 objects: 58k objects/s with parallel plans, 96k without; paced p99 74 ms and
 * 38 ms). `stream`: one of a stream of pages (exports), whose Node thread waits on each page while PostgreSQL
 * has a core to spare: a parallel plan shortens that wait (CSV export 75k objects/s, 55–58k without).
 * docs/BENCHMARKS.md, issue 18 round four.
 */
export type PageRead = 'request' | 'stream'

const SETTINGS: Record<PageRead, readonly string[]> = {
  request: [...PAGE_SETTINGS, 'SET LOCAL max_parallel_workers_per_gather = 0'],
  stream: PAGE_SETTINGS,
}

/**
 * The reader's collection contexts (one small query), then the page query built for them: both in one
 * pipelined transaction (see `runPipelinedTransaction`), so a page is three messages in a row on one pooled
 * connection — `BEGIN; SET LOCAL …` with the contexts query behind it, then the SELECT, then an unawaited COMMIT.
 * `instead` may ask for another query after seeing the page query's rows (in the same transaction, so the same
 * snapshot): its rows are returned instead.
 */
export async function queryPage<R extends QueryResultRow = SharedRow>(
  knex: Knex,
  readerOrgId: string,
  ids: string[] | undefined,
  query: PageQuery,
  instead?: (rows: R[]) => Knex.QueryBuilder | null,
  read: PageRead = 'request',
): Promise<{ contexts: Map<string, CollectionContext>; rows: R[] }> {
  return runPipelinedTransaction(knex, SETTINGS[read], async ({ db, rows }) => {
    const contexts = toCollectionContexts(
      await rows<CollectionContextRow>(collectionContextsQuery(db, readerOrgId, ids)),
      readerOrgId,
    )
    const q = query(contexts, db)
    if (!q) return { contexts, rows: [] }
    const first = await rows<R>(q)
    const second = instead?.(first)
    return { contexts, rows: second ? await rows<R>(second) : first }
  })
}
