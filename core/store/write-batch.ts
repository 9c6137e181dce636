import type { Knex } from 'knex'
import type { PreparedObject } from './prepare.js'

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

// One statement: insert every new (id, version), and report for every input row whether it was inserted,
// whether an existing row with its key holds the same document (jsonb equality ignores key order), and
// whether other versions existed. The `stored` join reads the statement's snapshot, i.e. rows before the insert.
const INSERT_VERSIONS = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(?::jsonb)
    AS i(idx int, stix_id text, version timestamptz, type text, spec_version text, tlp text, revoked boolean,
         labels jsonb, created timestamptz, name text, document jsonb)
), ins AS (
  INSERT INTO stix_objects (stix_id, version, type, spec_version, producer_org_id, tlp, revoked, labels, created, name, document)
  SELECT stix_id, version, type, spec_version, ?::uuid, tlp, revoked,
         ARRAY(SELECT jsonb_array_elements_text(labels)), created, name, document
  FROM input
  ON CONFLICT (stix_id, version) DO NOTHING
  RETURNING pk, stix_id, version
)
SELECT i.idx, coalesce(ins.pk, stored.pk) AS pk, ins.pk IS NOT NULL AS inserted,
       coalesce(stored.document = i.document, false) AS same,
       EXISTS (SELECT 1 FROM stix_objects o WHERE o.stix_id = i.stix_id AND o.version <> i.version) AS had_other
FROM input i
LEFT JOIN ins ON ins.stix_id = i.stix_id AND ins.version = i.version
LEFT JOIN stix_objects stored ON stored.stix_id = i.stix_id AND stored.version = i.version`

// A row inserted by a concurrent transaction after our snapshot is invisible above; ask again for those few.
const RECHECK = `
SELECT i.idx, s.pk, s.document = i.document AS same
FROM jsonb_to_recordset(?::jsonb) AS i(idx int, stix_id text, version timestamptz, document jsonb)
JOIN stix_objects s ON s.stix_id = i.stix_id AND s.version = i.version`

/** Inserts the versions of one batch (keys must be distinct within the batch). No per-object queries. */
export async function insertVersions(trx: Knex.Transaction, producerOrgId: string, batch: PreparedObject[]): Promise<BatchOutcome[]> {
  const input = batch.map((o) => ({
    idx: o.index, stix_id: o.id, version: o.version, type: o.type, spec_version: o.specVersion, tlp: o.tlp,
    revoked: o.revoked, labels: o.labels, created: o.created, name: o.name, document: o.document,
  }))
  const { rows } = await trx.raw(INSERT_VERSIONS, [JSON.stringify(input), producerOrgId])
  const outcomes: BatchOutcome[] = rows.map((r: { idx: number; pk: string | null; inserted: boolean; same: boolean; had_other: boolean }) => ({
    index: r.idx, pk: r.pk, inserted: r.inserted, sameAsStored: r.same, hadOtherVersions: r.had_other,
  }))
  const missing = outcomes.filter((o) => o.pk === null)
  if (missing.length) {
    const byIndex = new Map(batch.map((o) => [o.index, o]))
    const again = missing.map((m) => byIndex.get(m.index) as PreparedObject)
    const recheck = again.map((o) => ({ idx: o.index, stix_id: o.id, version: o.version, document: o.document }))
    const { rows: found } = await trx.raw(RECHECK, [JSON.stringify(recheck)])
    for (const f of found as { idx: number; pk: string; same: boolean }[]) {
      const outcome = outcomes.find((o) => o.index === f.idx) as BatchOutcome
      outcome.pk = f.pk
      outcome.sameAsStored = f.same
    }
  }
  return outcomes
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
SELECT ?, u.pk::bigint, base.t + (u.ord - 1) * interval '1 microsecond'
FROM jsonb_array_elements_text(?::jsonb) WITH ORDINALITY AS u(pk, ord), base
ON CONFLICT (collection_id, object_pk) DO NOTHING`

/** Takes the collection's write lock (held to commit) and adds the versions to it. */
export async function addMembers(trx: Knex.Transaction, collectionId: string, pks: string[]): Promise<void> {
  await lockCollection(trx, collectionId)
  if (pks.length) await trx.raw(ADD_MEMBERS, [collectionId, collectionId, JSON.stringify(pks)])
}

/** The per-collection writer lock, released when the surrounding transaction ends. */
export async function lockCollection(trx: Knex.Transaction, collectionId: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended('crisp.collection:' || ?, 0))`, [collectionId])
}
