import type { Knex } from 'knex'

/** A page of rows released as stored, summed up by PostgreSQL in one row (see {@link textPageQuery}). */
export interface TextPageRow {
  /** Rows the page query returned (the page's limit + 1 when another page follows). */
  n: number
  /** Texts in `objects`: the first `limit` rows, less those whose stored output withholds the object. */
  released: number
  /** The first `limit` stored texts in page order, joined with commas; null on an empty page. */
  objects: string | null
  first_seq: string | null
  first_date_added: string | null
  last_seq: string | null
  last_date_added: string | null
}

/** An aggregated page, not one of the rows `storedOutputTextPageQuery` returns for Node to release. */
export const isTextPageRow = (row: object): row is TextPageRow =>
  'objects' in row && 'n' in row && typeof row.n === 'number'

/** The aggregate columns over the numbered page `r`, the texts taken from `text` (NULLs are skipped). */
function aggregateColumns(text: string, limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`text page: bad limit ${limit}`)
  const kept = `FILTER (WHERE r.rn <= ${limit})`
  return `count(*)::int AS n,
      (count(${text}) ${kept})::int AS released,
      string_agg(${text}, ',' ORDER BY r.rn) ${kept} AS objects,
      max(r.seq) FILTER (WHERE r.rn = 1) AS first_seq,
      max(r.date_added) FILTER (WHERE r.rn = 1) AS first_date_added,
      (array_agg(r.seq ORDER BY r.rn DESC) ${kept})[1] AS last_seq,
      (array_agg(r.date_added ORDER BY r.rn DESC) ${kept})[1] AS last_date_added`
}

/** The page's rows numbered in page order; the timestamp texts have one fixed width, so byte order is time order. */
const NUMBERED = 'row_number() OVER (ORDER BY p.date_added COLLATE "C", p.seq::bigint) AS rn'

/**
 * The page query (`sharedRowsQuery` in `date_added` order, `limit + 1` rows) aggregated into one row: the stored
 * texts of the first `limit` rows joined in page order, and the keyset positions of the first and the last of
 * them. For collections released as stored (the reader's own), where nothing is decided per row in Node: one
 * string instead of a thousand rows to parse, decode, keep and join (docs/BENCHMARKS.md, TAXII own organization).
 * The timestamp texts have one fixed width, so their byte order (`COLLATE "C"`) is their time order.
 */
export function textPageQuery(db: Knex, page: Knex.QueryBuilder, limit: number): Knex.QueryBuilder {
  return db.select(db.raw(aggregateColumns('r.doc', limit))).from(
    db
      .select(db.raw(`p.*, ${NUMBERED}`))
      .from(page.as('p'))
      .as('r'),
  )
}

/** The columns of a page row joined with its stored output (`sharedRowsQuery` with a variant), in order. */
const STORED_OUTPUT_ROW = [
  'seq',
  'date_added',
  'version',
  'stix_id',
  'type',
  'spec_version',
  'tlp',
  'collection_id',
  'object_pk',
  'cached',
  'anon_id',
  'anon_doc',
  'doc',
] as const

/**
 * For a page of one anonymized collection whose stored output the page query joins: when every row of the page
 * has its stored output (a prefilled or already read page), the page aggregated as {@link textPageQuery} does,
 * from the stored texts (a NULL text, the strategy withholding the object, is skipped); otherwise the page's
 * rows themselves, in page order, for Node to release and anonymize as it does any page. One statement either
 * way: the page is read once (`MATERIALIZED`) and whether it is all stored is decided by PostgreSQL.
 * The TLP cells of the release rule are already applied by the page query, and nothing else about releasing a
 * row with stored output is decided per row (see `releaseRow`), so the aggregate releases what Node would.
 */
export function storedOutputTextPageQuery(db: Knex, page: Knex.QueryBuilder, limit: number): Knex.QueryBuilder {
  const rowColumns = STORED_OUTPUT_ROW.map((c) => `r.${c}`).join(', ')
  const noRow = STORED_OUTPUT_ROW.map((c) => `NULL AS ${c}`).join(', ')
  const noAggregate = 'NULL::int, NULL::int, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text'
  return db
    .select('*')
    .from(
      db.raw(
        `(WITH p AS MATERIALIZED ?,
        r AS (SELECT p.*, ${NUMBERED} FROM p),
        c AS (SELECT coalesce(bool_and(r.cached) FILTER (WHERE r.rn <= ${limit}), true) AS stored FROM r)
      SELECT ${aggregateColumns('r.anon_doc', limit)}, 0::bigint AS rn, ${noRow} FROM r HAVING (SELECT stored FROM c)
      UNION ALL
      SELECT ${noAggregate}, r.rn, ${rowColumns} FROM r WHERE NOT (SELECT stored FROM c)) AS t`,
        [page],
      ),
    )
    .orderBy('t.rn')
}
