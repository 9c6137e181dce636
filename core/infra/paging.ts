import { Type } from '@sinclair/typebox'
import type { Knex } from 'knex'
import { decodeCursor, encodeCursor, type CursorKey } from './cursor.js'
import { badRequest } from './errors.js'

/** `?limit=&cursor=` shared by every list route. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Items per page' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from the previous page\'s `nextCursor`' })),
}
export const pageOf = <T extends import('@sinclair/typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) })

/**
 * A REST `cursor` read back (see cursor.ts), or the API's 400 `CRISP_INVALID_CURSOR`: malformed, tampered, or
 * issued to another scope.
 */
export function readCursor(cursor: string, expect: { keys: readonly CursorKey[]; scope?: string }): string[] {
  const decoded = decodeCursor(cursor, expect)
  if (decoded.ok) return decoded.after
  throw badRequest('CRISP_INVALID_CURSOR', decoded.problem === 'other-scope' ? 'querystring/cursor: issued to another caller or for another list' : 'querystring/cursor: not a cursor this API issued')
}

/**
 * Keyset paging on one unique column (the cursor holds the last key, see cursor.ts). Stable under concurrent
 * inserts, unlike offsets.
 */
export async function paginate<R extends Record<string, unknown>>(
  query: Knex.QueryBuilder,
  options: { column: string; key?: keyof R & string; direction?: 'asc' | 'desc'; limit?: number; cursor?: string },
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const limit = options.limit ?? 50
  const direction = options.direction ?? 'asc'
  const key = options.key ?? (options.column.split('.').pop() as string)
  if (options.cursor) {
    const [after] = readCursor(options.cursor, { keys: ['id'] })
    query.where(options.column, direction === 'asc' ? '>' : '<', after)
  }
  const rows = (await query.orderBy(options.column, direction).limit(limit + 1)) as R[]
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const last = page[page.length - 1]
  const nextCursor = more && last ? encodeCursor([String(last[key])]) : null
  return { rows: page, nextCursor }
}
