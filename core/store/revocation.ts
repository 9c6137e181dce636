import type { Knex } from 'knex'
import { formatTimestampSql } from '../infra/sql-timestamp.js'

// For each submitted (id, version): the earliest revoked version of that id, when the submitted one is later.
const REVOKED_BEFORE = `
SELECT i.idx, ${formatTimestampSql('r.revoked_at')} AS revoked_at
FROM unnest(?::int[], ?::text[], ?::timestamptz[]) AS i(idx, stix_id, version)
CROSS JOIN LATERAL (
  SELECT s.version AS revoked_at FROM stix_objects s
  WHERE s.stix_id = i.stix_id AND s.revoked ORDER BY s.version LIMIT 1
) r
WHERE i.version > r.revoked_at`

/**
 * STIX 2.1 §3.6: once an object is revoked no new versions of it may be created. Returns, per submitted index,
 * the revoked version a newer submission would follow. Versions older than the revocation stay acceptable
 * (back-filling history).
 */
export async function findRevokedBefore(
  trx: Knex.Transaction,
  objects: readonly { index: number; id: string; version: string }[],
): Promise<Map<number, string>> {
  if (!objects.length) return new Map()
  const { rows } = await trx.raw<{ rows: { idx: number; revoked_at: string }[] }>(REVOKED_BEFORE, [
    objects.map((o) => o.index),
    objects.map((o) => o.id),
    objects.map((o) => o.version),
  ])
  return new Map(rows.map((r) => [r.idx, r.revoked_at]))
}
