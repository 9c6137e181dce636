import type { Knex } from 'knex'
import { isUuid } from '../infra/uuid.js'

/** A page summed up by PostgreSQL in one row (see {@link textPageQuery} and {@link storedOutputTextPageQuery}). */
export interface TextPageRow {
  /** Rows the page query returned (the page's limit + 1 when another page follows). */
  n: number
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

/** An aggregated page, not one of the rows `storedOutputTextPageQuery` returns for Node to release. */
export const isTextPageRow = (row: object): row is TextPageRow =>
  'objects' in row && 'n' in row && typeof row.n === 'number'

/** How a page is aggregated: its order, what joins its texts, and whether each text's collection is listed. */
export interface TextPageShape {
  order: 'date_added' | 'seq'
  /** ',' for a JSON array's inside; '\n' to split again (JSON texts never hold a raw line break). */
  separator: ',' | '\n'
  collections?: boolean
}

const TAXII_SHAPE: TextPageShape = { order: 'date_added', separator: ',' }

/** One column of an aggregated page: its name, its expression over the page `r`, and its type. */
type AggregateColumn = readonly [name: string, sql: string, type: 'int' | 'text']

/** The aggregate columns over the page `r` (numbered: `rn`), the texts taken from `text` (NULLs are skipped). */
function aggregateColumns(text: string, limit: number, shape: TextPageShape, lastRn?: string): AggregateColumn[] {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`text page: bad limit ${limit}`)
  const kept = `FILTER (WHERE r.rn <= ${limit})`
  const separator = shape.separator === ',' ? "','" : "E'\\n'"
  const collections: AggregateColumn[] = shape.collections
    ? [
        [
          'object_collections',
          `string_agg(r.collection_id::text, ',' ORDER BY r.rn) FILTER (WHERE r.rn <= ${limit} AND ${text} IS NOT NULL)`,
          'text',
        ],
        ['row_collections', `string_agg(r.collection_id::text, ',' ORDER BY r.rn) ${kept}`, 'text'],
      ]
    : []
  return [
    ['n', 'count(*)', 'int'],
    ['released', `count(${text}) ${kept}`, 'int'],
    ['objects', `string_agg(${text}, ${separator} ORDER BY r.rn) ${kept}`, 'text'],
    ...collections,
    ['first_seq', 'max(r.seq) FILTER (WHERE r.rn = 1)', 'text'],
    ['first_date_added', 'max(r.date_added) FILTER (WHERE r.rn = 1)', 'text'],
    // Given the last kept row's number, no aggregate needs its input sorted the other way.
    [
      'last_seq',
      lastRn ? `max(r.seq) FILTER (WHERE r.rn = ${lastRn})` : `(array_agg(r.seq ORDER BY r.rn DESC) ${kept})[1]`,
      'text',
    ],
    [
      'last_date_added',
      lastRn
        ? `max(r.date_added) FILTER (WHERE r.rn = ${lastRn})`
        : `(array_agg(r.date_added ORDER BY r.rn DESC) ${kept})[1]`,
      'text',
    ],
  ]
}

const selectList = (columns: readonly AggregateColumn[]) =>
  columns.map(([name, sql, type]) => `(${sql})::${type} AS ${name}`).join(',\n      ')

/**
 * The page query (`sharedRowsQuery` with `numbered`, `limit + 1` rows) aggregated into one row: the stored texts of the first
 * `limit` rows joined in page order, and the keyset positions of the first and the last of them. For pages
 * released as stored (the reader's own collections), where nothing is decided per row in Node: one string
 * instead of a thousand rows to parse, decode, keep and join (docs/BENCHMARKS.md, TAXII own organization).
 */
export function textPageQuery(
  db: Knex,
  page: Knex.QueryBuilder,
  limit: number,
  shape: TextPageShape = TAXII_SHAPE,
): Knex.QueryBuilder {
  return db.select(db.raw(selectList(aggregateColumns('r.doc', limit, shape)))).from(page.as('r'))
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
 * For a page (`sharedRowsQuery` with `numbered`) whose anonymized collections all have their stored output joined
 * by the page query (a variant each), and whose other collections (`raw`) are released as stored: when every anonymized row of the page has
 * its stored output (a prefilled or already read page), the page aggregated as {@link textPageQuery} does, from
 * the stored texts (a NULL output, the strategy withholding the object, is skipped); otherwise the page's rows
 * themselves, in page order, for Node to release and anonymize as it does any page. One statement either way:
 * the page is read once (`MATERIALIZED`) and whether it is all stored is decided by PostgreSQL. The TLP cells
 * of the release rule are already applied by the page query, and nothing else about releasing a row with stored
 * output is decided per row (see `releaseRow`), so the aggregate releases what Node would.
 */
export function storedOutputTextPageQuery(
  db: Knex,
  page: Knex.QueryBuilder,
  limit: number,
  raw: readonly string[],
  shape: TextPageShape = TAXII_SHAPE,
): Knex.QueryBuilder {
  const rawIds = raw.filter((id) => isUuid(id))
  // Rows of raw collections never have a stored output: their own text is released.
  const released = rawIds.length ? `r.cached OR r.collection_id = ANY('{${rawIds.join(',')}}'::uuid[])` : 'r.cached'
  const text = rawIds.length ? 'CASE WHEN r.cached THEN r.anon_doc ELSE r.doc END' : 'r.anon_doc'
  const rowColumns = STORED_OUTPUT_ROW.map((c) => `r.${c}`).join(', ')
  const noRow = STORED_OUTPUT_ROW.map((c) => `NULL AS ${c}`).join(', ')
  const aggregate = aggregateColumns(text, limit, shape, `(SELECT least(rows, ${limit}) FROM c)`)
  const noAggregate = aggregate.map(([name, , type]) => `NULL::${type} AS ${name}`).join(', ')
  return db
    .select('*')
    .from(
      db.raw(
        `(WITH r AS MATERIALIZED ?,
        c AS (SELECT coalesce(bool_and(${released}) FILTER (WHERE r.rn <= ${limit}), true) AS stored, count(*) AS rows FROM r)
      SELECT ${selectList(aggregate)}, 0::bigint AS rn, ${noRow} FROM r HAVING (SELECT stored FROM c)
      UNION ALL
      SELECT ${noAggregate}, r.rn, ${rowColumns} FROM r WHERE NOT (SELECT stored FROM c)) AS t`,
        [page],
      ),
    )
    .orderBy('t.rn')
}
