import type { Knex } from 'knex'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import { isUuid } from '../infra/uuid.js'

/** A page summed up by PostgreSQL in one row (see {@link textPageQuery} and {@link storedOutputTextPageQuery}). */
export interface TextPageRow {
  /** Rows the page query returned (the page's limit + 1 when another page follows). */
  n: number
  /**
   * Every anonymized row among the first `limit` has its stored output, so `objects` is the page; when false the
   * page must be released by Node from its rows (`objects` then lacks the rows without stored output).
   */
  stored: boolean
  /** Texts in `objects`: the first `limit` rows, less those whose stored output withholds the object. */
  released: number
  /** The first `limit` released texts in page order, joined with the page's separator; null when none. */
  objects: string | null
  /**
   * With `collections`: the collection of each text of `objects`, and of each of the first `limit` rows
   * (withheld ones included), in page order, joined with commas; null when none.
   */
  object_collections?: string | null
  row_collections?: string | null
  first_seq: string | null
  first_date_added: string | null
  last_seq: string | null
  last_date_added: string | null
}

export const isTextPageRow = (row: object): row is TextPageRow => 'objects' in row && 'stored' in row

/** How a page is aggregated: its order, what joins its texts, and whether each text's collection is listed. */
export interface TextPageShape {
  order: 'date_added' | 'seq'
  /** ',' for a JSON array's inside; '\n' to split again (JSON texts never hold a raw line break). */
  separator: ',' | '\n'
  collections?: boolean
}

const TAXII_SHAPE: TextPageShape = { order: 'date_added', separator: ',' }

/**
 * The aggregate columns over the page `r` (`sharedRowsQuery` with `columns: 'text'`), the texts taken from
 * `text` (NULLs are skipped), `stored` from `stored`. Every ordered aggregate is ordered as the page query's
 * index walk returns the rows, so PostgreSQL sorts nothing; the last kept row is found by its position.
 */
function aggregateColumns(text: string, stored: string, limit: number, shape: TextPageShape): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`text page: bad limit ${limit}`)
  const kept = `FILTER (WHERE r.rn <= ${limit})`
  const order = shape.order === 'seq' ? 'r.seq' : 'r.date_added, r.seq'
  const last = `least(count(*), ${limit})::int`
  const separator = shape.separator === ',' ? "','" : "E'\\n'"
  const collections = shape.collections
    ? `string_agg(r.collection_id::text, ',' ORDER BY ${order}) FILTER (WHERE r.rn <= ${limit} AND ${text} IS NOT NULL) AS object_collections,
      string_agg(r.collection_id::text, ',' ORDER BY ${order}) ${kept} AS row_collections,`
    : ''
  return `count(*)::int AS n,
      ${stored} AS stored,
      (count(${text}) ${kept})::int AS released,
      string_agg(${text}, ${separator} ORDER BY ${order}) ${kept} AS objects,
      ${collections}
      (max(r.seq) FILTER (WHERE r.rn = 1))::text AS first_seq,
      ${formatTimestampSql('max(r.date_added) FILTER (WHERE r.rn = 1)')} AS first_date_added,
      ((array_agg(r.seq ORDER BY ${order}) ${kept})[${last}])::text AS last_seq,
      ${formatTimestampSql(`(array_agg(r.date_added ORDER BY ${order}) ${kept})[${last}]`)} AS last_date_added`
}

/**
 * The page query (`sharedRowsQuery` with `columns: 'text'`, `limit + 1` rows) aggregated into one row: the
 * stored texts of the first `limit` rows joined in page order, and the keyset positions of the first and the
 * last of them. For pages released as stored (the reader's own collections), where nothing is decided per row
 * in Node: one string instead of a thousand rows to parse, decode, keep and join (docs/BENCHMARKS.md, TAXII own
 * organization).
 */
export function textPageQuery(
  db: Knex,
  page: Knex.QueryBuilder,
  limit: number,
  shape: TextPageShape = TAXII_SHAPE,
): Knex.QueryBuilder {
  return db.select(db.raw(aggregateColumns('r.doc', 'true', limit, shape))).from(page.as('r'))
}

/**
 * The same aggregate for a page (`sharedRowsQuery` with `columns: 'text'`) whose anonymized collections all have
 * their stored output joined by the page query (a variant each), and whose other collections (`own`, the
 * reader's) are released as stored. `stored` tells whether every anonymized row among the kept ones has its
 * stored output (a prefilled or already read page): then `objects` is the page as Node would release it (a NULL
 * output, the strategy withholding the object, is skipped; the TLP cells of the release rule are applied by the
 * page query, and nothing else about a row with stored output is decided per row, see `releaseRow`). Otherwise
 * the caller reads the page's rows to release them in Node. For an anonymized row, `objects` only ever holds its
 * stored anonymized output, never the version's own text, whatever `stored` says.
 */
export function storedOutputTextPageQuery(
  db: Knex,
  page: Knex.QueryBuilder,
  limit: number,
  own: readonly string[],
  shape: TextPageShape = TAXII_SHAPE,
): Knex.QueryBuilder {
  const ownIds = own.filter((id) => isUuid(id))
  const isOwn = ownIds.length ? `r.collection_id = ANY('{${ownIds.join(',')}}'::uuid[])` : 'false'
  const text = ownIds.length ? `CASE WHEN r.cached THEN r.anon_doc WHEN ${isOwn} THEN r.doc END` : 'r.anon_doc'
  const stored = `coalesce(bool_and(r.cached OR ${isOwn}) FILTER (WHERE r.rn <= ${limit}), true)`
  return db.select(db.raw(aggregateColumns(text, stored, limit, shape))).from(page.as('r'))
}
