import { isTimestampText } from './sql-timestamp.js'
import { isUuid } from './uuid.js'

/**
 * The one cursor codec of the APIs: REST lists (`?cursor=`, answered in `nextCursor`), the REST object list and
 * TAXII (`?next=`, answered in `next`). A cursor is opaque to clients: base64url JSON of
 * `{ "after": [keyset values], "scope": "who it was issued for" }`, always these two fields. `after` holds the
 * last row's keyset position as text; `scope` (optional) binds the cursor to a reader and a collection, so a
 * cursor is never replayed by someone else or on another collection. Nothing in it is secret: the keyset values
 * are the caller's own page, and a forged scope is refused like a foreign one.
 */

/**
 * The kind of one keyset value: each is checked on the way back, so a tampered cursor never reaches SQL.
 * `id`: a row id, a UUID or a bigint sequence number.
 */
export type CursorKey = 'uuid' | 'bigint' | 'timestamp' | 'id'

/** Why a cursor was refused: not one this server encodes, or issued to another scope. */
export type CursorProblem = 'malformed' | 'other-scope'

/** A cursor read back: `after` has one value per expected key, in order. */
export type DecodedCursor = { ok: true; after: string[] } | { ok: false; problem: CursorProblem }

const isBigint = (v: unknown) => typeof v === 'string' && /^\d{1,19}$/.test(v)
const CHECKS: Record<CursorKey, (value: unknown) => boolean> = {
  uuid: isUuid,
  bigint: isBigint,
  timestamp: isTimestampText,
  id: (v) => isUuid(v) || isBigint(v),
}

/** Longest cursor decoded: a keyset of a few values and a scope of two UUIDs fit well within it. */
const MAX_CURSOR_LENGTH = 512

/** The cursor of the position `after` (the last row's keyset values, in order), issued for `scope`. */
export function encodeCursor(after: readonly string[], scope?: string): string {
  return Buffer.from(JSON.stringify(scope === undefined ? { after } : { after, scope })).toString('base64url')
}

/**
 * Reads a cursor back: its values must match `keys` (count and kind) and its scope `scope` (both absent, or
 * equal). Never throws: each API answers a refusal in its own error format.
 */
export function decodeCursor(cursor: string, expect: { keys: readonly CursorKey[]; scope?: string }): DecodedCursor {
  const payload = parsePayload(cursor)
  if (!payload) return { ok: false, problem: 'malformed' }
  const after = payload.get('after')
  if (
    !Array.isArray(after) ||
    after.length !== expect.keys.length ||
    !expect.keys.every((kind, i) => CHECKS[kind](after[i]))
  ) {
    return { ok: false, problem: 'malformed' }
  }
  const scope = payload.get('scope')
  if (scope !== undefined && typeof scope !== 'string') return { ok: false, problem: 'malformed' }
  if (scope !== expect.scope) return { ok: false, problem: 'other-scope' }
  return { ok: true, after: after.map(String) }
}

function parsePayload(cursor: string): Map<string, unknown> | null {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[\w-]*$/.test(cursor)) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? new Map(Object.entries(value)) : null
  } catch {
    return null
  }
}
