import type { Knex } from 'knex'
import { formatTimestampSql } from '../infra/sql-timestamp.js'

/**
 * Where the prefill of a collection stands for one stored-output variant (table `prefill_watermarks`): the
 * (date_added, seq) keyset position of the last membership it read. A job starts after it, so nothing filled
 * is read again. A membership whose transaction commits after the mark passed its date_added (date_added is
 * taken at insert, not at commit) is never filled here: its first reader computes and stores it.
 */
export interface KeysetPosition {
  dateAdded: string
  seq: string
}

/** The variant's watermark in the collection, or undefined when no prefill has read anything for it yet. */
export async function readWatermark(
  knex: Knex,
  collectionId: string,
  variant: string,
): Promise<KeysetPosition | undefined> {
  const { rows } = await knex.raw<{ rows: { date_added: string; seq: string }[] }>(
    `SELECT ${formatTimestampSql('date_added')} AS date_added, seq::text AS seq FROM prefill_watermarks
      WHERE collection_id = ? AND variant = ?`,
    [collectionId, variant],
  )
  const row = rows[0]
  return row && { dateAdded: row.date_added, seq: row.seq }
}

/**
 * The start of a variant without watermark: just before the newest `horizon` memberships (older ones are filled
 * by their first reader), or undefined (from the first membership) when the collection holds no more.
 */
export async function horizonStart(
  knex: Knex,
  collectionId: string,
  horizon: number,
): Promise<KeysetPosition | undefined> {
  const { rows } = await knex.raw<{ rows: { date_added: string; seq: string }[] }>(
    `SELECT ${formatTimestampSql('date_added')} AS date_added, seq::text AS seq FROM collection_objects
      WHERE collection_id = ? ORDER BY date_added DESC, seq DESC OFFSET ? LIMIT 1`,
    [collectionId, horizon],
  )
  const row = rows[0]
  return row && { dateAdded: row.date_added, seq: row.seq }
}

/** Moves the watermark forward to `position` (never back: of two jobs racing, the further one stays). */
export async function advanceWatermark(
  knex: Knex,
  collectionId: string,
  variant: string,
  position: KeysetPosition,
): Promise<void> {
  await knex.raw(
    `INSERT INTO prefill_watermarks (collection_id, variant, date_added, seq) VALUES (?, ?, ?::timestamptz, ?::bigint)
     ON CONFLICT (collection_id, variant) DO UPDATE SET date_added = excluded.date_added, seq = excluded.seq, updated_at = now()
      WHERE (prefill_watermarks.date_added, prefill_watermarks.seq) < (excluded.date_added, excluded.seq)`,
    [collectionId, variant, position.dateAdded, position.seq],
  )
}
