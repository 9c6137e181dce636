import type { Knex } from 'knex'
import type { Principal, StixObject } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import { releaseRows, type ReleasedObject } from './egress.js'
import { sharedRowsQuery, type SharedObjectFilter, type SharedRow } from './shared-rows.js'
import { resolveCollectionContexts } from './reader-context.js'

export interface SharedPageOptions {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId'>
  filter: SharedObjectFilter
  /** `date_added` (TAXII, one collection) or `seq` (REST, exporters: across collections). */
  order: 'date_added' | 'seq'
  limit: number
}

export interface SharedPage {
  objects: ReleasedObject[]
  /** Another page exists after the last scanned row. */
  more: boolean
  /** First and last rows the page scanned (including withheld ones): the keyset for the next page. */
  first: SharedRow | null
  last: SharedRow | null
}

/**
 * One page through the egress pipeline: the visible collections with their owner's trust in the reader (one
 * small query), the page itself (one indexed keyset query), then policy and anonymization per object.
 */
export async function readSharedPage(opts: SharedPageOptions): Promise<SharedPage> {
  const readerOrgId = opts.principal.orgId
  const contexts = await resolveCollectionContexts(opts.knex, readerOrgId, opts.filter.collectionIds)
  if (!contexts.size) return { objects: [], more: false, first: null, last: null }
  const collections = { own: [] as string[], trusted: [] as string[], other: [] as string[] }
  for (const [id, c] of contexts) (c.ownerOrgId === readerOrgId ? collections.own : c.trustLevel ? collections.trusted : collections.other).push(id)
  // Row estimates through the OR'd TLP filter and the last-version check make the planner prefer hashing the
  // whole collection and sorting it (≈ 300 ms at 100k objects) over walking the keyset index (≈ 6 ms): a page
  // must never cost more than its own rows, so sorting is ruled out for this one statement.
  const rows = (await opts.knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_sort = off')
    return sharedRowsQuery({ knex: trx, collections, filter: opts.filter, order: opts.order, limit: opts.limit + 1 })
  })) as SharedRow[]
  const more = rows.length > opts.limit
  if (more) rows.length = opts.limit
  const objects = releaseRows(rows, { anonymizer: opts.registry.defaultAnonymizer().impl, readerOrgId, collections: contexts })
  return { objects, more, first: rows[0] ?? null, last: rows.at(-1) ?? null }
}

/**
 * Every shared object matching the filter, in keyset pages of `pageSize` (bounded memory): the API
 * exporters consume. Objects come out already through the sharing policy and the anonymization strategy.
 */
export async function* streamSharedObjects(opts: {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId'>
  filter: SharedObjectFilter
  pageSize?: number
}): AsyncIterable<StixObject> {
  let afterSeq = opts.filter.afterSeq
  for (;;) {
    const page = await readSharedPage({ ...opts, filter: { ...opts.filter, afterSeq }, order: 'seq', limit: opts.pageSize ?? 1000 })
    for (const o of page.objects) yield o.object ?? (JSON.parse(o.json) as StixObject)
    if (!page.more || !page.last) return
    afterSeq = page.last.seq
  }
}
