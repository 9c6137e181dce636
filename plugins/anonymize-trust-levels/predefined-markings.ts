import { isTlpMarkingId } from '../../core/plugin-api/index.js'

/**
 * The TLP 1.0 and 2.0 marking definitions are standard objects every platform shares verbatim; rewriting them
 * would fork them. But an id is only a claim: a producer may publish anything under a predefined id, so an
 * object is passed as it is only when it holds nothing but what a TLP definition holds — vocabulary, ids,
 * timestamps and `TLP:…` names. Anything else is anonymized like any other marking definition.
 */
const VALUE =
  /^(?:[a-z+-]{1,32}|TLP:[A-Z+]{3,12}|2\.1|[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z)$/
const KEY =
  /^(?:[a-z][a-z0-9_]{0,31}|extension-definition--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

function holdsOnlyTlpVocabulary(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return VALUE.test(value)
  if (value === null || typeof value !== 'object') return typeof value === 'boolean' || typeof value === 'number'
  if (depth > 4) return false
  if (Array.isArray(value)) return value.every((item) => holdsOnlyTlpVocabulary(item, depth + 1))
  return Object.entries(value).every(([key, item]) => KEY.test(key) && holdsOnlyTlpVocabulary(item, depth + 1))
}

export function isPredefinedTlpMarking(obj: { type: string; id: string }): boolean {
  return obj.type === 'marking-definition' && isTlpMarkingId(obj.id) && holdsOnlyTlpVocabulary(obj, 0)
}
