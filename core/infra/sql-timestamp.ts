/**
 * Timestamps leave the database as text: pg's Date drops microseconds, and STIX versions, `date_added` and
 * cursors compare them exactly. One format, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always six fraction digits,
 * the form `toMicrosecondTimestamp` of core/stix writes).
 */

/** SQL of `column` (a `timestamptz` expression) as that text. `column` is SQL: never a value from a request. */
export const formatTimestampSql = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

const TIMESTAMP_TEXT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/

/** True when `value` has the form {@link formatTimestampSql} gives (e.g. a keyset position coming back in a cursor). */
export function isTimestampText(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP_TEXT.test(value)
}
