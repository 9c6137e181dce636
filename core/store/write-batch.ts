import type { Knex } from 'knex'
import type { PreparedObject } from './prepare.js'
import { nullableArray } from './sql-arrays.js'

/** What the database says about one prepared object after the batch insert. */
export interface BatchOutcome {
  index: number
  pk: string | null
  inserted: boolean
  /** The stored document of an existing (id, version) equals the submitted one. */
  sameAsStored: boolean
  /** Other versions of the id existed before this statement. */
  hadOtherVersions: boolean
}

// The batch travels as one array per column (zipped by ROWS FROM) plus the documents' JSON texts joined by
// newlines (JSON.stringify never emits a raw newline), so PostgreSQL parses each document once, straight into
// its jsonb column, and nothing is escaped twice on the way.
const INPUT = `
  SELECT * FROM ROWS FROM (
    unnest(?::int[]), unnest(?::text[]), unnest(?::timestamptz[]), unnest(?::text[]), unnest(?::text[]), unnest(?::text[]),
    unnest(?::boolean[]), unnest(?::text[]), unnest(?::timestamptz[]), unnest(?::text[]), unnest(?::text[]), unnest(?::boolean[]),
    string_to_table(?::text, E'\\n')
  ) AS i(idx, stix_id, version, type, spec_version, tlp, revoked, labels, created, name, hash, attributed, document)`

/** The stored document of `alias` equals the input's (see INSERT_VERSIONS on attributed documents). */
const SAME_DOCUMENT = (alias: string) =>
  `(${alias}.document = i.document::jsonb OR (i.attributed AND ${alias}.document = i.document::jsonb - 'created_by_ref'))`

// One statement: insert every new (id, version) of this producer, and report for every input row whether it
// was inserted, whether an existing row with its key holds the same document, and whether other versions
// existed. Versions are keyed per producer (migration 0013), and one producer holds one content per version:
// the row compared against is the producer's own, or one already in the target collection (a version stored
// by another organization with identical content is reused, see `findUnchanged`, and then belongs to the
// collection); such a member is never duplicated. "Same" compares the stored content hash (SHA-256 of the
// exact stored text) first; only when the hashes differ or the row has none (written by other paths) are the
// jsonb documents compared (jsonb equality ignores key order). A document the store attributed to its producer
// (`created_by_ref` added, see core/store/prepare.ts) also equals a version stored without it — one published
// before organizations had identities (migrations/0051) — so re-publishing it stays "unchanged". The `stored`
// join reads the statement's snapshot, i.e. rows before the insert.
const INSERT_VERSIONS = `
WITH input AS MATERIALIZED (${INPUT}
), ins AS (
  INSERT INTO stix_objects (stix_id, version, type, spec_version, producer_org_id, tlp, revoked, labels, created, name, document, content_hash)
  SELECT stix_id, version, type, spec_version, ?::uuid, tlp, revoked,
         ARRAY(SELECT jsonb_array_elements_text(labels::jsonb)), created, name, document::jsonb, hash
  FROM input i
  -- A scalar sub-select with LIMIT stays a per-row index probe; NOT EXISTS would be planned as an anti-join
  -- against a scan of the table (first ingest at half speed).
  WHERE (SELECT 1 FROM stix_objects m
         WHERE m.stix_id = i.stix_id AND m.version = i.version
           AND EXISTS (SELECT 1 FROM collection_objects co WHERE co.collection_id = ?::uuid AND co.object_pk = m.pk)
         LIMIT 1) IS NULL
  ON CONFLICT (stix_id, version, producer_org_id) DO NOTHING
  RETURNING pk, stix_id, version
)
SELECT i.idx, coalesce(ins.pk, stored.pk) AS pk, ins.pk IS NOT NULL AS inserted,
       CASE WHEN stored.pk IS NULL THEN false
            WHEN stored.content_hash = i.hash THEN true
            ELSE ${SAME_DOCUMENT('stored')} END AS same,
       EXISTS (SELECT 1 FROM stix_objects o WHERE o.stix_id = i.stix_id AND o.version <> i.version) AS had_other
FROM input i
LEFT JOIN ins ON ins.stix_id = i.stix_id AND ins.version = i.version
LEFT JOIN LATERAL (
  -- LIMIT keeps this a per-row index probe (the planner knows nothing of the input's size and would
  -- otherwise hash-join against a scan of the whole table)
  SELECT s.pk, s.content_hash, s.document FROM stix_objects s
  WHERE s.stix_id = i.stix_id AND s.version = i.version
    AND (s.producer_org_id = ?::uuid
         OR EXISTS (SELECT 1 FROM collection_objects co WHERE co.collection_id = ?::uuid AND co.object_pk = s.pk))
  LIMIT 1
) stored ON true`

// A row inserted by a concurrent transaction of the same producer after our snapshot is invisible above; ask
// again for those few.
const RECHECK = `
SELECT i.idx, s.pk, CASE WHEN s.content_hash = i.hash THEN true ELSE ${SAME_DOCUMENT('s')} END AS same
FROM (${INPUT}) i
JOIN stix_objects s ON s.stix_id = i.stix_id AND s.version = i.version AND s.producer_org_id = ?::uuid`

function columns(batch: PreparedObject[]): Knex.RawBinding[] {
  // node-postgres sends JS arrays (nulls included) as PostgreSQL arrays
  return [
    batch.map((o) => o.index),
    batch.map((o) => o.id),
    batch.map((o) => o.version),
    batch.map((o) => o.type),
    batch.map((o) => o.specVersion),
    nullableArray(batch.map((o) => o.tlp)),
    batch.map((o) => o.revoked),
    batch.map((o) => JSON.stringify(o.labels)),
    nullableArray(batch.map((o) => o.created)),
    nullableArray(batch.map((o) => o.name)),
    batch.map((o) => o.hash),
    batch.map((o) => o.attributed),
    batch.map((o) => o.text).join('\n'),
  ]
}

/** Inserts the versions of one batch (keys must be distinct within the batch). No per-object queries. */
export async function insertVersions(
  trx: Knex.Transaction,
  producerOrgId: string,
  collectionId: string,
  batch: PreparedObject[],
): Promise<BatchOutcome[]> {
  // Placeholders in statement order: the input's columns, then producer and collection for the insert, then for `stored`.
  const { rows } = await trx.raw<{
    rows: { idx: number; pk: string | null; inserted: boolean; same: boolean; had_other: boolean }[]
  }>(INSERT_VERSIONS, [...columns(batch), producerOrgId, collectionId, producerOrgId, collectionId])
  const outcomes: BatchOutcome[] = rows.map((r) => ({
    index: r.idx,
    pk: r.pk,
    inserted: r.inserted,
    sameAsStored: r.same,
    hadOtherVersions: r.had_other,
  }))
  const missing = outcomes.filter((o) => o.pk === null)
  if (missing.length) {
    const byIndex = new Map(batch.map((o) => [o.index, o]))
    const again = missing.flatMap((m) => byIndex.get(m.index) ?? [])
    const { rows: found } = await trx.raw<{ rows: { idx: number; pk: string; same: boolean }[] }>(RECHECK, [
      ...columns(again),
      producerOrgId,
    ])
    const foundAt = new Map(found.map((f) => [f.idx, f]))
    for (const outcome of missing) {
      const f = foundAt.get(outcome.index)
      if (!f) continue
      outcome.pk = f.pk
      outcome.sameAsStored = f.same
    }
  }
  return outcomes
}

/** A stored version found by its content hash: its row, version key, type and markings. */
export interface FoundVersion {
  pk: string
  /**
   * Microsecond RFC 3339, as `versionOf` gives it, read back from the row: a leap second (`:60`), which
   * PostgreSQL stores as the next minute's `:00`, reads so.
   */
  version: string
  type: string
  /** The stored document's `object_marking_refs` (null when it has none). */
  markings: unknown
}

/**
 * The stored versions whose content hash equals a candidate's, keyed by that hash (a hash names one exact
 * text, and so one id: the id is part of the text): those objects are unchanged by definition (byte-identical
 * to a version that was validated when stored). A version of another producer counts only when the producer
 * has no content of its own for that (id, version): one producer, one content per version. Read-only; may run
 * outside the writing transaction (stored versions are never rewritten, so a hit stays true).
 */
export async function findUnchanged(
  db: Knex | Knex.Transaction,
  producerOrgId: string,
  candidates: { id: string; hash: string }[],
): Promise<Map<string, FoundVersion>> {
  const found = new Map<string, FoundVersion>()
  if (!candidates.length) return found
  const { rows } = await db.raw<{ rows: (FoundVersion & { content_hash: string })[] }>(
    // LATERAL … LIMIT: one index probe per candidate whatever the planner's (often stale) idea of the table
    `SELECT c.hash AS content_hash, s.pk, s.type, s.markings,
            to_char(s.version AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS version
     FROM unnest(?::text[], ?::text[]) AS c(stix_id, hash)
     CROSS JOIN LATERAL (
       SELECT pk, type, version, document->'object_marking_refs' AS markings
       FROM stix_objects o WHERE o.stix_id = c.stix_id AND o.content_hash = c.hash
         AND (o.producer_org_id = ?::uuid OR NOT EXISTS (
           SELECT 1 FROM stix_objects mine WHERE mine.stix_id = o.stix_id AND mine.version = o.version AND mine.producer_org_id = ?::uuid))
       ORDER BY o.producer_org_id = ?::uuid DESC LIMIT 1) s`,
    [candidates.map((c) => c.id), candidates.map((c) => c.hash), producerOrgId, producerOrgId, producerOrgId],
  )
  for (const { content_hash, ...version } of rows) found.set(content_hash, version)
  return found
}

// Serializes writers of one collection until commit, then gives the new members date_added values strictly
// after every one already there, 1 µs apart in submission order. A transaction committing later therefore
// never shows an earlier date_added than one already visible, and date_added is unique per collection.
const ADD_MEMBERS = `
WITH base AS (
  SELECT greatest(clock_timestamp(), coalesce(max(date_added), '-infinity'::timestamptz) + interval '1 microsecond') AS t
  FROM collection_objects WHERE collection_id = ?
)
INSERT INTO collection_objects (collection_id, object_pk, date_added)
SELECT ?, u.pk, base.t + (u.ord - 1) * interval '1 microsecond'
FROM unnest(?::bigint[]) WITH ORDINALITY AS u(pk, ord), base
ON CONFLICT (collection_id, object_pk) DO NOTHING`

/** Takes the collection's write lock (held to commit) and adds the versions to it. */
export async function addMembers(trx: Knex.Transaction, collectionId: string, pks: string[]): Promise<void> {
  await lockCollection(trx, collectionId)
  if (pks.length) await trx.raw(ADD_MEMBERS, [collectionId, collectionId, pks])
}

/** The per-collection writer lock, released when the surrounding transaction ends. */
export async function lockCollection(trx: Knex.Transaction, collectionId: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended('crisp.collection:' || ?, 0))`, [collectionId])
}
