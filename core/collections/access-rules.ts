import type { Principal } from '../plugin-api/index.js'
import type { Visibility } from '../model/vocabularies.js'
import { can } from '../auth/permissions.js'

export interface CollectionAccessInput {
  ownerOrgId: string
  visibility: Visibility
  /** The owner has a trust relationship towards the reader's organization. */
  ownerTrustsReader: boolean
}

/** Who may see a collection at all: its owner, trusted orgs for `trusted`, every org for `public`. No admin bypass. */
export function canSeeCollection(reader: Pick<Principal, 'orgId'>, c: CollectionAccessInput): boolean {
  if (c.ownerOrgId === reader.orgId) return true
  if (c.visibility === 'public') return true
  return c.visibility === 'trusted' && c.ownerTrustsReader
}

/** {@link canSeeCollection} as an SQL condition on the collections row `alias`, for the reader bound as `:reader`. */
export function visibleCollectionSql(alias: string): string {
  return `(${alias}.organization_id = :reader OR ${alias}.visibility = 'public' OR (${alias}.visibility = 'trusted' AND EXISTS (
    SELECT 1 FROM trust_relationships vt WHERE vt.trustor_org_id = ${alias}.organization_id AND vt.trustee_org_id = :reader)))`
}

/** Read objects: a visible collection and a role that may read objects. */
export function canReadCollection(reader: Pick<Principal, 'orgId' | 'role'>, c: CollectionAccessInput): boolean {
  return canSeeCollection(reader, c) && can(reader, 'objects:read')
}

/** Write objects: publishers (and admins) of the owner organization only. */
export function canWriteCollection(
  reader: Pick<Principal, 'orgId' | 'role'>,
  c: Pick<CollectionAccessInput, 'ownerOrgId'>,
): boolean {
  return c.ownerOrgId === reader.orgId && can(reader, 'objects:publish')
}
