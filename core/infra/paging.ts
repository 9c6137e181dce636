import { Type } from '@sinclair/typebox'
import type { Knex } from 'knex'
import { badRequest } from './errors.js'

/** `?limit=&cursor=` shared by every list route. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Items per page' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from the previous page\'s `nextCursor`' })),
}
export const pageOf = <T extends import('@sinclair/typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) })

/**
 * Keyset paging on one unique column (opaque to clients: base64url JSON of the last key). Stable under
 * concurrent inserts, unlike offsets.
 */
export async function paginate<R extends Record<string, unknown>>(
  query: Knex.QueryBuilder,
  options: { column: string; key?: keyof R & string; direction?: 'asc' | 'desc'; limit?: number; cursor?: string },
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const limit = options.limit ?? 50
  const direction = options.direction ?? 'asc'
  const key = options.key ?? (options.column.split('.').pop() as string)
  if (options.cursor) {
    let after: unknown
    try {
      after = JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')).after
    } catch {
      after = undefined
    }
    if (typeof after !== 'string' && typeof after !== 'number') throw badRequest('CRISP_INVALID_CURSOR', 'querystring/cursor: not a cursor this API issued')
    query.where(options.column, direction === 'asc' ? '>' : '<', after)
  }
  const rows = (await query.orderBy(options.column, direction).limit(limit + 1)) as R[]
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const last = page[page.length - 1]
  const nextCursor = more && last ? Buffer.from(JSON.stringify({ after: String(last[key]) })).toString('base64url') : null
  return { rows: page, nextCursor }
}
