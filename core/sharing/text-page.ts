import type { Knex } from 'knex'

/** A page of rows released as stored, summed up by PostgreSQL in one row (see {@link textPageQuery}). */
export interface TextPageRow {
  /** Rows the page query returned (the page's limit + 1 when another page follows). */
  n: number
  /** The first `limit` stored texts in page order, joined with commas; null on an empty page. */
  objects: string | null
  first_seq: string | null
  first_date_added: string | null
  last_seq: string | null
  last_date_added: string | null
}

export const isTextPageRow = (row: object): row is TextPageRow => 'objects' in row && 'n' in row

/**
 * The page query (`sharedRowsQuery` in `date_added` order, `limit + 1` rows) aggregated into one row: the stored
 * texts of the first `limit` rows joined in page order, and the keyset positions of the first and the last of
 * them. For collections released as stored (the reader's own), where nothing is decided per row in Node: one
 * string instead of a thousand rows to parse, decode, keep and join (docs/BENCHMARKS.md, TAXII own organization).
 * The timestamp texts have one fixed width, so their byte order (`COLLATE "C"`) is their time order.
 */
export function textPageQuery(db: Knex, page: Knex.QueryBuilder, limit: number): Knex.QueryBuilder {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`textPageQuery: bad limit ${limit}`)
  const kept = `FILTER (WHERE r.rn <= ${limit})`
  return db
    .select(
      db.raw(`count(*)::int AS n,
      string_agg(r.doc, ',' ORDER BY r.rn) ${kept} AS objects,
      max(r.seq) FILTER (WHERE r.rn = 1) AS first_seq,
      max(r.date_added) FILTER (WHERE r.rn = 1) AS first_date_added,
      (array_agg(r.seq ORDER BY r.rn DESC) ${kept})[1] AS last_seq,
      (array_agg(r.date_added ORDER BY r.rn DESC) ${kept})[1] AS last_date_added`),
    )
    .from(
      db
        .select(db.raw('p.*, row_number() OVER (ORDER BY p.date_added COLLATE "C", p.seq::bigint) AS rn'))
        .from(page.as('p'))
        .as('r'),
    )
}
