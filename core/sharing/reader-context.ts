import type { Knex } from 'knex'
import type { AnonymizationLevel } from '../plugin-api/index.js'
import { visibleCollectionSql } from './shared-rows.js'

/** How one visible collection relates to the reader: resolved once per page, not per object. */
export interface CollectionContext {
  ownerOrgId: string
  /** Anonymization level of the owner's trust relationship towards the reader; null when none. */
  trustLevel: AnonymizationLevel | null
}

/**
 * The collections the reader may see (optionally only `ids`), each with its owner and the owner's trust in
 * the reader: one query, so the page query itself needs no joins beyond the membership and the version.
 */
export async function resolveCollectionContexts(knex: Knex, readerOrgId: string, ids?: string[]): Promise<Map<string, CollectionContext>> {
  return toCollectionContexts(await collectionContextsQuery(knex, readerOrgId, ids))
}

export interface CollectionContextRow {
  id: string
  organization_id: string
  anonymization_level: AnonymizationLevel | null
}

/** The query behind `resolveCollectionContexts`, for callers that run it on a connection of their own. */
export function collectionContextsQuery(knex: Knex, readerOrgId: string, ids?: string[]): Knex.QueryBuilder {
  const q = knex('collections as c')
    .leftJoin('trust_relationships as tr', (j) => j.on('tr.trustor_org_id', 'c.organization_id').andOn('tr.trustee_org_id', knex.raw('?::uuid', [readerOrgId])))
    .leftJoin('trust_levels as tl', 'tl.id', 'tr.trust_level_id')
    .whereRaw(visibleCollectionSql('c'), { reader: readerOrgId })
    .select('c.id', 'c.organization_id', 'tl.anonymization_level')
  if (ids) q.whereIn('c.id', ids)
  return q
}

export function toCollectionContexts(rows: readonly CollectionContextRow[]): Map<string, CollectionContext> {
  return new Map(rows.map((r) => [r.id, { ownerOrgId: r.organization_id, trustLevel: r.anonymization_level }]))
}
