import type { Knex } from 'knex'
import { encodeCursor } from '../infra/cursor.js'
import { DEFAULT_PAGE_SIZE, paginate, type PageRequest } from '../infra/paging.js'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import { isUuid } from '../infra/uuid.js'
import type { CollectionRow } from '../model/tables.js'
import type { Visibility } from '../model/vocabularies.js'
import type { Principal } from '../plugin-api/index.js'
import { canReadCollection, canSeeCollection, canWriteCollection } from './access-rules.js'

/** A collection as one caller sees it, with that caller's rights. */
export interface CollectionAccess {
  id: string
  title: string
  description: string
  alias: string | null
  visibility: Visibility
  /** The owning organization. */
  organizationId: string
  canRead: boolean
  canWrite: boolean
  createdAt: string
  updatedAt: string
}

/** A collections row as one reader's query selects it: timestamps as text, and the owner's trust towards the reader. */
interface VisibleCollectionRow extends Pick<
  CollectionRow,
  'id' | 'title' | 'description' | 'alias' | 'visibility' | 'organization_id'
> {
  owner_trusts_reader: boolean
  created_at: string
  updated_at: string
}

function collectionsQuery(knex: Knex, orgId: string) {
  return knex('collections as c').select<VisibleCollectionRow[]>(
    'c.id',
    'c.title',
    'c.description',
    'c.alias',
    'c.visibility',
    'c.organization_id',
    knex.raw(`${formatTimestampSql('c.created_at')} AS created_at`),
    knex.raw(`${formatTimestampSql('c.updated_at')} AS updated_at`),
    knex.raw(
      'EXISTS (SELECT 1 FROM trust_relationships t WHERE t.trustor_org_id = c.organization_id AND t.trustee_org_id = ?) AS owner_trusts_reader',
      [orgId],
    ),
  )
}

function toAccess(principal: Pick<Principal, 'orgId' | 'role'>, row: VisibleCollectionRow): CollectionAccess | null {
  const input = {
    ownerOrgId: row.organization_id,
    visibility: row.visibility,
    ownerTrustsReader: row.owner_trusts_reader,
  }
  if (!canSeeCollection(principal, input)) return null
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    alias: row.alias,
    visibility: row.visibility,
    organizationId: row.organization_id,
    canRead: canReadCollection(principal, input),
    canWrite: canWriteCollection(principal, input),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** The collection if the caller may see it; null otherwise (callers answer 404 and never reveal it exists). */
export async function findVisibleCollection(
  knex: Knex,
  principal: Pick<Principal, 'orgId' | 'role'>,
  id: string,
): Promise<CollectionAccess | null> {
  if (!isUuid(id)) return null
  const row = await collectionsQuery(knex, principal.orgId).where('c.id', id).first()
  return row ? toAccess(principal, row) : null
}

/**
 * One page of the collections the caller may see, in id order (a cursor stays valid when its collection is
 * deleted meanwhile): full pages although visibility is decided row by row, the cursor being the last collection
 * returned.
 */
export async function pageVisibleCollections(
  knex: Knex,
  principal: Pick<Principal, 'orgId' | 'role'>,
  page: PageRequest,
): Promise<{ items: CollectionAccess[]; nextCursor: string | null }> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE
  const visible: CollectionAccess[] = []
  let cursor = page.cursor
  do {
    const scanned = await paginate<VisibleCollectionRow>(collectionsQuery(knex, principal.orgId), {
      column: 'c.id',
      limit: limit + 1,
      cursor,
    })
    for (const row of scanned.rows) {
      const c = toAccess(principal, row)
      if (c) visible.push(c)
    }
    cursor = scanned.nextCursor ?? undefined
  } while (cursor && visible.length <= limit)
  const items = visible.slice(0, limit)
  const last = items[items.length - 1]
  return { items, nextCursor: visible.length > limit && last ? encodeCursor([last.id]) : null }
}

/** Every collection the caller may see, in a stable order (creation, then id). */
export async function listVisibleCollections(
  knex: Knex,
  principal: Pick<Principal, 'orgId' | 'role'>,
): Promise<CollectionAccess[]> {
  const rows = await collectionsQuery(knex, principal.orgId).orderBy([{ column: 'c.created_at' }, { column: 'c.id' }])
  return rows.map((r) => toAccess(principal, r)).filter((c): c is CollectionAccess => c !== null)
}
