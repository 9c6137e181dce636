import type { Knex } from 'knex'
import type { AnonymizeContext } from '../../plugin-api/index.js'
import type { CollectionObjectRow, ReleasedValueFillRow, StixObjectRow } from '../../model/tables.js'
import type { LoadedPlugin } from '../../registry/registry.js'
import { insertAnonymizedEntries, variantKey, type AnonymizedEntry } from '../../sharing/anonymized-store.js'
import type { CollectionContext } from '../../sharing/index.js'
import { RELATIONS } from '../../sharing/release-policy.js'
import { releasedTlpSql } from '../../sharing/shared-rows.js'
import { releasedKeys } from './released-keys.js'
import { parseStixText } from '../../stix/stix-text.js'

/**
 * The released-value index (tables released_values, released_value_objects, released_value_fills): for each
 * output variant of the egress pipeline, the observable values of what it releases, so that matching probes
 * the values of its events instead of releasing the whole store on every pass.
 *
 * A variant is what the anonymization strategy promises the same output for (anonymized-store.ts): the index
 * is filled from that stored output — computed and stored first where missing — so its values are exactly the
 * released ones (a `/16`, never the stored address; no pseudonym at all). The reader's own collections are
 * indexed as stored under {@link RAW_VARIANT}. Nothing the sharing policy decides is stored: the visible
 * collections, their trust (hence the variant) and each candidate's TLP are resolved again on every pass, so a
 * trust or visibility change takes effect on the next one.
 */

/** The variant of collections released as stored (the reader's own). Never a {@link variantKey} (22 chars). */
export const RAW_VARIANT = 'raw'

/** Types whose values can match an event observable: indicators (STIX patterns) and the value SCOs. */
export const MATCHABLE_TYPES = ['indicator', 'ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'file']

export interface IndexedCollection {
  id: string
  context: CollectionContext
  variant: string
  /** How the collection's objects are anonymized for the reader (level `none`, unused, for {@link RAW_VARIANT}). */
  ctx: AnonymizeContext
}

/** Memberships read per fill query. */
const FILL_BATCH = 5000
/**
 * A fill continues after the last membership seq it indexed. A membership whose transaction committed after a
 * later seq was indexed would be skipped, so past this age a fill checks the whole collection again (only the
 * versions not indexed yet are read: an anti-join).
 */
const RESCAN_MS = 10 * 60_000

/**
 * The reader's visible collections with their variant; `unindexed` are those whose strategy names no output
 * variant (its output is never stored, so it cannot be indexed): they are matched the slow way.
 */
export function indexedCollections(
  contexts: ReadonlyMap<string, CollectionContext>,
  readerOrgId: string,
  anonymizer: LoadedPlugin<'anonymization-strategy'>,
) {
  const indexed: IndexedCollection[] = []
  const unindexed: string[] = []
  for (const [id, context] of contexts) {
    const ctx: AnonymizeContext = {
      level: context.anonymizationLevel,
      producerOrgId: context.ownerOrgId,
      recipientOrgId: readerOrgId,
    }
    if (context.ownerOrgId === readerOrgId) {
      indexed.push({ id, context, variant: RAW_VARIANT, ctx })
      continue
    }
    const variant = variantKey(anonymizer, ctx)
    if (variant) indexed.push({ id, context, variant, ctx })
    else unindexed.push(id)
  }
  return { indexed, unindexed }
}

interface FillRow extends Pick<CollectionObjectRow, 'seq' | 'object_pk'>, Pick<StixObjectRow, 'stix_id'> {
  cached: boolean
  anon_doc: string | null
  doc: string | null
}

/** Any of the conditions (null: no condition, everything passes). */
const anyOf = (conditions: (string | null)[]) =>
  conditions.some((c) => c === null) ? null : `(${conditions.join(' OR ')})`

/**
 * The TLP cases a fill indexes, generated from the release rule: the raw variant is the reader's own, any
 * other is received by other organizations — trusted or not, as readers of both relations may share a variant.
 */
const FILL_TLP_SQL = {
  raw: releasedTlpSql('own'),
  anonymized: anyOf(RELATIONS.filter((relation) => relation !== 'own').map(releasedTlpSql)),
}

/** One batch of memberships not indexed yet for the collection's variant, after `after`. */
function unindexedRows(knex: Knex, c: IndexedCollection, after: string): Promise<FillRow[]> {
  const raw = c.variant === RAW_VARIANT
  const q = knex('collection_objects as co')
    .join('stix_objects as s', 's.pk', 'co.object_pk')
    .where('co.collection_id', c.id)
    .andWhere('co.seq', '>', after)
    .whereIn('s.type', MATCHABLE_TYPES)
    .whereNotExists((w) =>
      w
        .select(knex.raw('1'))
        .from('released_value_objects as rvo')
        .whereRaw('rvo.object_pk = co.object_pk AND rvo.variant = ?', [c.variant]),
    )
    .orderBy('co.seq')
    .limit(FILL_BATCH)
  // What no reader of the variant may receive (RED and AMBER+STRICT for every other organization) is not indexed.
  const tlp = raw ? FILL_TLP_SQL.raw : FILL_TLP_SQL.anonymized
  if (tlp) q.whereRaw(tlp)
  if (raw)
    return q.select<FillRow[]>(
      knex.raw(
        'co.seq::text AS seq, co.object_pk::text AS object_pk, s.stix_id, false AS cached, NULL AS anon_doc, s.document::text AS doc',
      ),
    )
  q.leftJoin('anonymized_objects as ao', (j) =>
    j.on('ao.object_pk', 'co.object_pk').andOn('ao.variant', '=', knex.raw('?', [c.variant])),
  )
  return q.select<FillRow[]>(
    knex.raw(`co.seq::text AS seq, co.object_pk::text AS object_pk, s.stix_id, ao.object_pk IS NOT NULL AS cached,
    ao.document AS anon_doc, CASE WHEN ao.object_pk IS NULL THEN s.document::text END AS doc`),
  )
}

/** The released text of a fill row: stored output, the stored version (raw), or computed now (and kept to store). */
function releasedText(
  row: FillRow,
  c: IndexedCollection,
  anonymizer: LoadedPlugin<'anonymization-strategy'>,
  computed: AnonymizedEntry[],
): string | null {
  if (c.variant === RAW_VARIANT) return row.doc
  if (row.cached) return row.anon_doc
  // Without stored output the row carries the stored version.
  if (row.doc === null) return null
  const out = anonymizer.impl.anonymize(parseStixText(row.doc), c.ctx)
  const document = out ? JSON.stringify(out) : null
  computed.push({ objectPk: row.object_pk, variant: c.variant, anonymizedId: out?.id ?? row.stix_id, document })
  return document
}

async function writeBatch(
  knex: Knex,
  variant: string,
  rows: FillRow[],
  keys: { pk: string; kind: string; value: string }[],
  computed: AnonymizedEntry[],
) {
  if (computed.length) await insertAnonymizedEntries(knex, computed)
  if (keys.length) {
    await knex.raw(
      `INSERT INTO released_values (kind, value, variant, object_pk)
       SELECT kind, value, ?, pk FROM unnest(?::text[], ?::text[], ?::bigint[]) AS k(kind, value, pk) ON CONFLICT DO NOTHING`,
      [variant, keys.map((k) => k.kind), keys.map((k) => k.value), keys.map((k) => k.pk)],
    )
  }
  await knex.raw(
    `INSERT INTO released_value_objects (object_pk, variant) SELECT pk, ? FROM unnest(?::bigint[]) AS r(pk) ON CONFLICT DO NOTHING`,
    [variant, rows.map((r) => r.object_pk)],
  )
}

/**
 * Indexes what the collection released for its variant since the last fill, and returns the address prefix
 * lengths the (collection, variant) holds. Incremental: keyset on the membership seq, versions already indexed
 * skipped; concurrent fills write the same rows (ON CONFLICT DO NOTHING).
 */
export async function fillReleasedValues(
  knex: Knex,
  anonymizer: LoadedPlugin<'anonymization-strategy'>,
  c: IndexedCollection,
  signal?: AbortSignal,
): Promise<string[]> {
  const progress = await knex('released_value_fills')
    .where({ collection_id: c.id, variant: c.variant })
    .first<(Pick<ReleasedValueFillRow, 'seq' | 'prefixes'> & { age_ms: string }) | undefined>(
      knex.raw('seq::text AS seq'),
      'prefixes',
      knex.raw('extract(epoch FROM now() - scanned_at) * 1000 AS age_ms'),
    )
  const rescan = !progress || Number(progress.age_ms) > RESCAN_MS
  let after: string = rescan ? '0' : progress.seq
  const prefixes = new Set<string>(progress?.prefixes ?? [])
  let last = progress?.seq ?? '0'
  for (;;) {
    signal?.throwIfAborted()
    const rows = await unindexedRows(knex, c, after)
    if (!rows.length) break
    const computed: AnonymizedEntry[] = []
    const keys: { pk: string; kind: string; value: string }[] = []
    for (const row of rows) {
      const text = releasedText(row, c, anonymizer, computed)
      if (text === null) continue
      for (const key of releasedKeys(parseStixText(text))) {
        keys.push({ pk: row.object_pk, kind: key.kind, value: key.value })
        if (key.prefix) prefixes.add(key.prefix)
      }
    }
    await writeBatch(knex, c.variant, rows, keys, computed)
    after = rows[rows.length - 1].seq
    if (BigInt(after) > BigInt(last)) last = after
    if (rows.length < FILL_BATCH) break
  }
  await knex.raw(
    `INSERT INTO released_value_fills (collection_id, variant, seq, prefixes, scanned_at) VALUES (?, ?, ?, ?::text[], now())
     ON CONFLICT (collection_id, variant) DO UPDATE SET seq = GREATEST(released_value_fills.seq, EXCLUDED.seq),
       prefixes = ARRAY(SELECT DISTINCT unnest(released_value_fills.prefixes || EXCLUDED.prefixes)),
       scanned_at = CASE WHEN ? THEN now() ELSE released_value_fills.scanned_at END`,
    [c.id, c.variant, last, [...prefixes], rescan],
  )
  return [...prefixes]
}
