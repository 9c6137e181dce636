import { isJsonObject } from './json-object.js'

/**
 * JSON canonicalization in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code units,
 * no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does (which is what
 * JCS specifies). Used for deterministic SCO identifiers.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isJsonObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
    return `{${entries.join(',')}}`
  }
  const text = JSON.stringify(value)
  if (text === undefined) throw new TypeError(`cannot canonicalize ${typeof value}`)
  return text
}
