import { taxiiError } from './errors.js'

/** Where a page ended, bound to the collection and the reader's organization it was issued for. */
export interface PageCursor {
  dateAdded: string
  seq: string
}

/** Opaque `next` value: base64url JSON of the keyset position and who it was issued to. */
export function encodeNext(scope: { collectionId: string; orgId: string }, at: PageCursor): string {
  return Buffer.from(JSON.stringify({ c: scope.collectionId, o: scope.orgId, d: at.dateAdded, s: at.seq })).toString('base64url')
}

/** Decodes `next` and checks it was issued for this collection and this caller's organization. */
export function decodeNext(next: string, scope: { collectionId: string; orgId: string }): PageCursor {
  let parsed: { c?: unknown; o?: unknown; d?: unknown; s?: unknown }
  try {
    parsed = JSON.parse(Buffer.from(next, 'base64url').toString('utf8'))
  } catch {
    throw taxiiError(400, 'CRISP_TAXII_BAD_NEXT', 'next is not a value this server issued')
  }
  const ok = typeof parsed?.d === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(parsed.d) && typeof parsed.s === 'string' && /^\d{1,19}$/.test(parsed.s)
  if (!ok) throw taxiiError(400, 'CRISP_TAXII_BAD_NEXT', 'next is not a value this server issued')
  if (parsed.c !== scope.collectionId || parsed.o !== scope.orgId) {
    throw taxiiError(400, 'CRISP_TAXII_BAD_NEXT', 'next was issued for another collection or caller')
  }
  return { dateAdded: parsed.d as string, seq: parsed.s as string }
}
