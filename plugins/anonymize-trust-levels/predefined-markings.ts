/**
 * The TLP 1.0 and 2.0 marking definitions are standard objects every platform shares verbatim; rewriting them
 * would fork them. But an id is only a claim: a producer may publish anything under a predefined id, so an
 * object is passed as it is only when it holds nothing but what a TLP definition holds — vocabulary, ids,
 * timestamps and `TLP:…` names. Anything else is anonymized like any other marking definition.
 */
export const TLP_MARKING_IDS: ReadonlySet<string> = new Set([
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
])

const VALUE = /^(?:[a-z+-]{1,32}|TLP:[A-Z+]{3,12}|2\.1|[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z)$/
const KEY = /^(?:[a-z][a-z0-9_]{0,31}|extension-definition--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

function holdsOnlyTlpVocabulary(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return VALUE.test(value)
  if (value === null || typeof value !== 'object') return typeof value === 'boolean' || typeof value === 'number'
  if (depth > 4) return false
  if (Array.isArray(value)) return value.every((item) => holdsOnlyTlpVocabulary(item, depth + 1))
  return Object.entries(value).every(([key, item]) => KEY.test(key) && holdsOnlyTlpVocabulary(item, depth + 1))
}

export function isPredefinedTlpMarking(obj: { type: string; id: string }): boolean {
  return obj.type === 'marking-definition' && TLP_MARKING_IDS.has(obj.id) && holdsOnlyTlpVocabulary(obj, 0)
}
