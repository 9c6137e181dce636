import { decodeCursor, encodeCursor } from '../../infra/cursor.js'
import { taxiiError } from './errors.js'

/** Where a page ended, bound to the collection and the reader's organization it was issued for. */
export interface PageCursor {
  dateAdded: string
  seq: string
}

/** Who a `next` is issued to: one collection, read by one organization. */
const scopeOf = (scope: { collectionId: string; orgId: string }) => `${scope.collectionId}/${scope.orgId}`

/** Opaque `next` value: the platform's cursor (core/infra/cursor.ts) of the keyset position, bound to its scope. */
export function encodeNext(scope: { collectionId: string; orgId: string }, at: PageCursor): string {
  return encodeCursor([at.dateAdded, at.seq], scopeOf(scope))
}

/** Decodes `next` and checks it was issued for this collection and this caller's organization (a TAXII 400 otherwise). */
export function decodeNext(next: string, scope: { collectionId: string; orgId: string }): PageCursor {
  const decoded = decodeCursor(next, { keys: ['timestamp', 'bigint'], scope: scopeOf(scope) })
  if (!decoded.ok) {
    throw decoded.problem === 'other-scope'
      ? taxiiError(400, 'CRISP_TAXII_BAD_NEXT', 'next was issued for another collection or caller')
      : taxiiError(400, 'CRISP_TAXII_BAD_NEXT', 'next is not a value this server issued')
  }
  const [dateAdded, seq] = decoded.after
  return { dateAdded, seq }
}
