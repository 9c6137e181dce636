/** A UUID in its canonical 8-4-4-4-12 hexadecimal form, any version (ids PostgreSQL generates are v4, events' v7). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * True when `value` is a UUID PostgreSQL accepts as `uuid`: the one check before an id reaches a query (a
 * malformed id then answers "not found" or 400 instead of a database error), and what makes an id safe to inline.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}
