import type { Knex } from 'knex'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import { isUuid } from '../infra/uuid.js'
import type { Principal } from '../plugin-api/index.js'
import { canReadCollection, canSeeCollection, canWriteCollection, type Visibility } from './collection-access.js'

/** A collection as one caller sees it, with that caller's rights. */
export interface CollectionAccess {
  id: string
  title: string
  description: string
  alias: string | null
  visibility: Visibility
  ownerOrgId: string
  canRead: boolean
  canWrite: boolean
  createdAt: string
  updatedAt: string
}

interface CollectionRow {
  id: string
  title: string
  description: string
  alias: string | null
  visibility: Visibility
  organization_id: string
  owner_trusts_reader: boolean
  created_at: string
  updated_at: string
}


function collectionsQuery(knex: Knex, orgId: string): Knex.QueryBuilder {
  return knex('collections as c')
    .select('c.id', 'c.title', 'c.description', 'c.alias', 'c.visibility', 'c.organization_id')
    .select(knex.raw(`${formatTimestampSql('c.created_at')} AS created_at`))
    .select(knex.raw(`${formatTimestampSql('c.updated_at')} AS updated_at`))
    .select(knex.raw('EXISTS (SELECT 1 FROM trust_relationships t WHERE t.trustor_org_id = c.organization_id AND t.trustee_org_id = ?) AS owner_trusts_reader', [orgId]))
}

function toAccess(principal: Pick<Principal, 'orgId' | 'role'>, row: CollectionRow): CollectionAccess | null {
  const input = { ownerOrgId: row.organization_id, visibility: row.visibility, ownerTrustsReader: row.owner_trusts_reader }
  if (!canSeeCollection(principal, input)) return null
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    alias: row.alias,
    visibility: row.visibility,
    ownerOrgId: row.organization_id,
    canRead: canReadCollection(principal, input),
    canWrite: canWriteCollection(principal, input),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** The collection if the caller may see it; null otherwise (callers answer 404 and never reveal it exists). */
export async function findVisibleCollection(knex: Knex, principal: Pick<Principal, 'orgId' | 'role'>, id: string): Promise<CollectionAccess | null> {
  if (!isUuid(id)) return null
  const row = (await collectionsQuery(knex, principal.orgId).where('c.id', id).first()) as CollectionRow | undefined
  return row ? toAccess(principal, row) : null
}

/** Every collection the caller may see, in a stable order (creation, then id). */
export async function listVisibleCollections(knex: Knex, principal: Pick<Principal, 'orgId' | 'role'>): Promise<CollectionAccess[]> {
  const rows = (await collectionsQuery(knex, principal.orgId).orderBy([{ column: 'c.created_at' }, { column: 'c.id' }])) as CollectionRow[]
  return rows.map((r) => toAccess(principal, r)).filter((c): c is CollectionAccess => c !== null)
}
