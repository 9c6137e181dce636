import type { Principal } from '../plugin-api/index.js'
import { can } from '../auth/permissions.js'

export type Visibility = 'private' | 'trusted' | 'public'

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

/** Read objects: a visible collection and a role that may read objects. */
export function canReadCollection(reader: Pick<Principal, 'orgId' | 'role'>, c: CollectionAccessInput): boolean {
  return canSeeCollection(reader, c) && can(reader, 'objects:read')
}

/** Write objects: publishers (and admins) of the owner organization only. */
export function canWriteCollection(reader: Pick<Principal, 'orgId' | 'role'>, c: Pick<CollectionAccessInput, 'ownerOrgId'>): boolean {
  return c.ownerOrgId === reader.orgId && can(reader, 'objects:publish')
}
