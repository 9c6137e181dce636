/**
 * A JSON object (not null, not an array): the shape of every STIX object, dictionary and extension. The guard
 * lets parsed input be read property by property without claiming more than was checked.
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
