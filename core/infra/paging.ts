import type { Knex } from 'knex'
import { decodeCursor, encodeCursor, type CursorKey } from './cursor.js'
import { badRequest } from './errors.js'

/** Items of a page when the caller names no `limit` (the REST API's `?limit=` default, docs/api.md). */
export const DEFAULT_PAGE_SIZE = 100
/** Most items of one page. */
export const MAX_PAGE_SIZE = 1000
/** What a caller asks of a list: how many items, after which cursor. */
export interface PageRequest {
  limit?: number
  cursor?: string
}

/**
 * A REST `cursor` read back (see cursor.ts), or the API's 400 `CRISP_INVALID_CURSOR`: malformed, tampered, or
 * issued to another scope.
 */
export function readCursor(cursor: string, expect: { keys: readonly CursorKey[]; scope?: string }): string[] {
  const decoded = decodeCursor(cursor, expect)
  if (decoded.ok) return decoded.after
  throw badRequest(
    'CRISP_INVALID_CURSOR',
    decoded.problem === 'other-scope'
      ? 'querystring/cursor: issued to another caller or for another list'
      : 'querystring/cursor: not a cursor this API issued',
  )
}

/**
 * A leading sort column that is not unique (`created_at`: newest first; may be qualified, `c.created_at`): pages
 * run in `(sortBy, column)` order.
 * The cursor still holds only the last row's key; its position is read back from `table`, so timestamps keep
 * their microseconds. A cursor whose row was deleted meanwhile ends the list.
 */
export interface SortBy {
  table: string
  column: string
}

/**
 * Keyset paging on one unique column (the cursor holds the last key, see cursor.ts), optionally after a
 * non-unique `sortBy` column. Stable under concurrent inserts, unlike offsets.
 */
export async function paginate<R extends object>(
  query: Knex.QueryBuilder & PromiseLike<R[]>,
  options: {
    column: string
    key?: keyof R & string
    direction?: 'asc' | 'desc'
    sortBy?: SortBy
    limit?: number
    cursor?: string
  },
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const limit = options.limit ?? DEFAULT_PAGE_SIZE
  const direction = options.direction ?? 'asc'
  const key = options.key ?? options.column.split('.').pop() ?? options.column
  const { sortBy } = options
  if (options.cursor) {
    const [after] = readCursor(options.cursor, { keys: ['id'] })
    const op = direction === 'asc' ? '>' : '<'
    if (sortBy) {
      const unqualified = (column: string) => column.split('.').pop() ?? column
      const keyColumn = unqualified(options.column)
      query.whereRaw(`(??, ??) ${op} (SELECT ??, ?? FROM ?? WHERE ?? = ?)`, [
        sortBy.column,
        options.column,
        unqualified(sortBy.column),
        keyColumn,
        sortBy.table,
        keyColumn,
        after,
      ])
    } else {
      query.where(options.column, op, after)
    }
  }
  if (sortBy) query.orderBy(sortBy.column, direction)
  query.orderBy(options.column, direction).limit(limit + 1)
  // The builder is mutable: the rows come from the query as the caller typed it.
  const pending: PromiseLike<R[]> = query
  const rows = await pending
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const last = page[page.length - 1]
  const lastKey: unknown = last && Reflect.get(last, key)
  const nextCursor = more && last ? encodeCursor([String(lastKey)]) : null
  return { rows: page, nextCursor }
}
