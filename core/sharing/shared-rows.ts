import type { Knex } from 'knex'
import type { StixObjectRow } from '../model/tables.js'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import { isUuid } from '../infra/uuid.js'
import { isVariantKey } from './anonymized-store.js'
import type { IdMatch } from './id-lookup.js'
import { RELATIONS, TLP_CASES, releasedTlpCases, type Relation } from './release-policy.js'

/** Which versions of each object to return (TAXII `match[version]`); several are ORed. Default: last. */
export interface VersionMatch {
  all?: boolean
  first?: boolean
  last?: boolean
  /** Exact versions, microsecond RFC 3339. */
  at?: string[]
}

/**
 * Query filters shared by TAXII, REST and exporters. Omitted fields do not filter. `ids`, `labels` and `q` are
 * answered from what the reader receives: in SQL only for collections released as stored (the reader's own,
 * level none); for anonymized ones `ids` go through `IdMatch` and `labels`/`q` are checked on the released
 * output (see `matchesReleased` in pages.ts and docs/sharing.md).
 */
export interface SharedObjectFilter {
  collectionIds?: string[]
  types?: string[]
  ids?: string[]
  specVersions?: string[]
  versions?: VersionMatch
  /** Exclusive lower bound on date_added (TAXII `added_after`). */
  addedAfter?: string
  /** Keyset position in (date_added, seq) order: rows strictly after it. */
  afterDateAdded?: { dateAdded: string; seq: string }
  /** Keyset position in seq order. */
  afterSeq?: string
  /** Inclusive upper bound in seq order (a page cut at a known position, see `seqBoundaries`). */
  uptoSeq?: string
  labels?: string[]
  createdFrom?: string
  createdTo?: string
  modifiedFrom?: string
  modifiedTo?: string
  /** Text searched in name and description. */
  q?: string
  /** Only collections owned by these organizations (see `narrowByProducer`). */
  producerOrgIds?: string[]
  /** Only collections of other organizations than the reader's: what they shared with it. */
  sharedWithReader?: boolean
}

/** One membership row as the egress pipeline receives it: timestamps already formatted with microseconds. */
export interface SharedRow {
  seq: string
  date_added: string
  version: string
  stix_id: string
  type: string
  spec_version: string
  tlp: StixObjectRow['tlp']
  collection_id: string
  object_pk: string
  /** The stored JSON text; null when the anonymized output is stored (`cached`) and the text is not needed. */
  doc: string | null
  /** Stored anonymization output of the reader's variant exists (see core/sharing/anonymized-store.ts). */
  cached?: boolean
  anon_id?: string | null
  /** Stored anonymized text; null with `cached` = the strategy withholds the object. */
  anon_doc?: string | null
}

function versionSql(match: VersionMatch | undefined, bindings: string[]): string | null {
  const m = match ?? { last: true }
  if (m.all) return null
  const parts: string[] = []
  // The newest version is flagged on its membership (migrations/0065); the oldest is asked for rarely enough to probe.
  if (m.last) parts.push('co.latest')
  if (m.first)
    parts.push(`NOT EXISTS (SELECT 1 FROM stix_objects s2 JOIN collection_objects co2 ON co2.object_pk = s2.pk
    AND co2.collection_id = co.collection_id WHERE s2.stix_id = s.stix_id AND s2.version < s.version)`)
  if (m.at?.length) {
    // knex expands array bindings into lists; a JSON array keeps it one parameter.
    parts.push(`s.version IN (SELECT jsonb_array_elements_text(?::jsonb)::timestamptz)`)
    bindings.push(JSON.stringify(m.at))
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'false'
}

/**
 * The variant key of each row's collection as an SQL expression, or null when no collection has one. Keys
 * and ids are checked and inlined. Rows of collections without a key get NULL, so never a stored output (the
 * reader's own collections are released as stored). A query over one collection gets a literal.
 */
function variantSql(variants: ReadonlyMap<string, string> | undefined, collections: readonly string[]): string | null {
  const entries = [...(variants ?? [])].filter(
    ([id, key]) => isUuid(id) && isVariantKey(key) && collections.includes(id),
  )
  if (!entries.length) return null
  if (collections.length === 1) return `'${entries[0][1]}'`
  return `(CASE co.collection_id ${entries.map(([id, key]) => `WHEN '${id}'::uuid THEN '${key}'`).join(' ')} END)`
}

/** PostgreSQL array literal of uuids (they come from the database, and are checked again here). */
const uuidArray = (ids: string[]) => `{${ids.filter((id) => isUuid(id)).join(',')}}`

/** The TLP cases `relation` releases as a condition on `s.tlp` (unmarked is ''), generated from `RELEASE_RULE`; null: all. */
export function releasedTlpSql(relation: Relation): string | null {
  const released = releasedTlpCases(relation)
  if (released.length === TLP_CASES.length) return null
  if (!released.length) return 'false'
  return `coalesce(s.tlp, '') IN (${released.map((tlp) => `'${tlp === 'unmarked' ? '' : tlp}'`).join(', ')})`
}

/**
 * The TLP cells of `RELEASE_RULE` for the page's collections, grouped by relation; null when nothing is
 * withheld. A page over collections of one relation (every TAXII page) gets that relation's condition alone.
 */
function releasedRowsSql(
  collections: Readonly<Record<Relation, readonly string[]>>,
  bindings: string[],
): string | null {
  const present = RELATIONS.filter((relation) => collections[relation].length)
  const conditions = present.map((relation) => ({ relation, tlp: releasedTlpSql(relation) }))
  if (conditions.every((c) => c.tlp === null)) return null
  if (conditions.length === 1) return conditions[0].tlp
  const terms = conditions.map(({ relation, tlp }) => {
    bindings.push(uuidArray([...collections[relation]]))
    return tlp === null ? 'co.collection_id = ANY(?::uuid[])' : `(co.collection_id = ANY(?::uuid[]) AND ${tlp})`
  })
  return `(${terms.join(' OR ')})`
}

/**
 * The one query behind every way out: memberships of the given visible collections joined with the version.
 * The TLP cells of the release rule are applied here too (`releasedRowsSql`), so withheld rows never fill a
 * page. Driven by the (collection_id, date_added, seq) or seq index.
 */
export function sharedRowsQuery(opts: {
  knex: Knex
  /** The visible collections by how their owner relates to the reader (`CollectionContext.relation`). */
  collections: Readonly<Record<Relation, readonly string[]>>
  filter: SharedObjectFilter
  order: 'date_added' | 'seq'
  limit: number
  /** Output variant key per collection whose stored anonymization output to join (see anonymized-store.ts). */
  variants?: ReadonlyMap<string, string>
  /** Collections whose rows are released as stored; the others are anonymized for this reader. */
  raw: readonly string[]
  /** How `filter.ids` match (required with ids). */
  idMatch?: IdMatch
  /**
   * `text`: only what the aggregations of text-page.ts read — each row's number in page order (`rn`, numbered as
   * the index walk returns the rows, so PostgreSQL sorts nothing), `seq` and `date_added` unformatted, the
   * collection, and the texts. Default `rows`: a {@link SharedRow} per row.
   */
  columns?: 'rows' | 'text'
}): Knex.QueryBuilder {
  const { knex, filter: f, collections: cs } = opts
  const all = RELATIONS.flatMap((relation) => cs[relation])
  const variant = variantSql(opts.variants, all)
  const q = knex('collection_objects as co').join('stix_objects as s', 's.pk', 'co.object_pk')
  const orderBy = opts.order === 'date_added' ? 'co.date_added, co.seq' : 'co.seq'
  const common =
    opts.columns === 'text'
      ? `row_number() OVER (ORDER BY ${orderBy}) AS rn, co.seq, co.date_added, co.collection_id`
      : `co.seq::text AS seq, ${formatTimestampSql('co.date_added')} AS date_added, ${formatTimestampSql('s.version')} AS version,
      s.stix_id, s.type, s.spec_version, s.tlp, co.collection_id, co.object_pk::text AS object_pk`
  if (variant) {
    // The version's own text is converted from jsonb only when no stored output replaces it.
    q.leftJoin('anonymized_objects as ao', (j) =>
      j.on('ao.object_pk', 'co.object_pk').andOn('ao.variant', '=', knex.raw(variant)),
    )
    const anonId = opts.columns === 'text' ? '' : 'ao.anonymized_id AS anon_id, '
    q.select(
      knex.raw(`${common}, ao.object_pk IS NOT NULL AS cached, ${anonId}ao.document AS anon_doc,
      CASE WHEN ao.object_pk IS NULL THEN s.document::text END AS doc`),
    )
  } else {
    q.select(knex.raw(`${common}, s.document::text AS doc`))
  }
  if (all.length === 1) q.where('co.collection_id', all[0])
  else q.whereRaw('co.collection_id = ANY(?::uuid[])', [uuidArray(all)])
  const releasedBindings: string[] = []
  const released = releasedRowsSql(cs, releasedBindings)
  if (released) q.whereRaw(released, releasedBindings)
  if (f.types?.length) q.whereIn('s.type', f.types)
  if (f.ids?.length)
    idMatchSql(q, opts.idMatch ?? { ids: f.ids, raw: all, rewritten: new Map(), anonymizedPks: new Map() })
  if (f.specVersions?.length) q.whereIn('s.spec_version', f.specVersions)
  const bindings: string[] = []
  const version = versionSql(f.versions, bindings)
  if (version) q.whereRaw(version, bindings)
  if (f.addedAfter) q.where('co.date_added', '>', f.addedAfter)
  if (f.afterDateAdded)
    q.whereRaw('(co.date_added, co.seq) > (?::timestamptz, ?::bigint)', [
      f.afterDateAdded.dateAdded,
      f.afterDateAdded.seq,
    ])
  if (f.afterSeq) q.where('co.seq', '>', f.afterSeq)
  if (f.uptoSeq) q.where('co.seq', '<=', f.uptoSeq)
  const raw = uuidArray([...opts.raw])
  if (f.labels?.length)
    q.whereRaw(
      `(co.collection_id <> ALL(?::uuid[]) OR s.labels && ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
      [raw, JSON.stringify(f.labels)],
    )
  if (f.createdFrom) q.where('s.created', '>=', f.createdFrom)
  if (f.createdTo) q.where('s.created', '<=', f.createdTo)
  if (f.modifiedFrom) q.where('s.version', '>=', f.modifiedFrom)
  if (f.modifiedTo) q.where('s.version', '<=', f.modifiedTo)
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    q.where((w) =>
      w
        .whereRaw('co.collection_id <> ALL(?::uuid[])', [raw])
        .orWhereILike('s.name', like)
        .orWhereRaw(`s.document->>'description' ILIKE ?`, [like]),
    )
  }
  if (opts.order === 'date_added') q.orderBy([{ column: 'co.date_added' }, { column: 'co.seq' }])
  else q.orderBy('co.seq')
  return q.limit(opts.limit)
}

/**
 * Stored ids match in the reader's raw collections, and in anonymized ones for types whose ids the strategy
 * keeps; rewritten ids match only through the versions `prepareIdMatch` resolved from the stored output.
 */
function idMatchSql(q: Knex.QueryBuilder, m: IdMatch): void {
  const perCollection = (map: Map<string, string[]>, column: string, cast: string) =>
    [...map]
      .filter(([id]) => isUuid(id))
      .map(([id, values]) => ({
        sql: `(co.collection_id = '${id}'::uuid AND ${column} = ANY(?::${cast}[]))`,
        values: `{${values.map((v) => JSON.stringify(v)).join(',')}}`,
      }))
  const rewritten = perCollection(m.rewritten, 's.type', 'text')
  const pks = perCollection(m.anonymizedPks, 'co.object_pk', 'bigint')
  const keptIds = rewritten.length ? `AND NOT (${rewritten.map((r) => r.sql).join(' OR ')})` : ''
  const sql = [`(s.stix_id = ANY(?::text[]) ${keptIds})`, ...pks.map((p) => p.sql)].join(' OR ')
  q.whereRaw(`(${sql})`, [
    `{${m.ids.map((id) => JSON.stringify(id)).join(',')}}`,
    ...rewritten.map((r) => r.values),
    ...pks.map((p) => p.values),
  ])
}
