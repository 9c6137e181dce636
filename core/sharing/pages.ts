import type { Knex } from 'knex'
import type { Principal, StixObject } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import { releaseRows, type ReleasedObject } from './egress.js'
import { sharedRowsQuery, type SharedObjectFilter, type SharedRow } from './shared-rows.js'

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

/** One page through the egress pipeline: one indexed query (trust joined in), policy, anonymization. */
export async function readSharedPage(opts: SharedPageOptions): Promise<SharedPage> {
  const rows = (await sharedRowsQuery({ knex: opts.knex, readerOrgId: opts.principal.orgId, filter: opts.filter, order: opts.order, limit: opts.limit + 1 })) as SharedRow[]
  const more = rows.length > opts.limit
  if (more) rows.length = opts.limit
  const objects = releaseRows(rows, { anonymizer: opts.registry.defaultAnonymizer().impl, readerOrgId: opts.principal.orgId })
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
