/** TLP levels, from least to most restrictive. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const
export type Tlp = (typeof TLP_LEVELS)[number]

/** The TLP 2.0 marking-definition ids published by OASIS (extension-definition--60a3c5c5-…, cti-stix-common-objects). */
export const TLP_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

// The TLP 1.0 marking definitions of the STIX 2.1 specification (§7.2.1.4): real feeds still carry them, and a
// TLP 1.0 RED must restrict sharing exactly like a TLP 2.0 RED. WHITE maps to its successor CLEAR.
const TLP_1_MARKING_IDS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
}

const TLP_BY_MARKING = new Map<string, Tlp>([
  ...TLP_LEVELS.map((tlp): [string, Tlp] => [TLP_MARKING_IDS[tlp], tlp]),
  ...Object.entries(TLP_1_MARKING_IDS),
])

// A Map, not an index into TLP_MARKING_IDS: a label such as `constructor` must find nothing.
const MARKING_BY_LABEL = new Map<string, string>([
  ...TLP_LEVELS.map((tlp): [string, string] => [tlp, TLP_MARKING_IDS[tlp]]),
  ['white', TLP_MARKING_IDS.clear],
])

/** A predefined TLP marking-definition id (2.0, or 1.0 as the specification lists them). */
export function isTlpMarkingId(id: unknown): boolean {
  return typeof id === 'string' && TLP_BY_MARKING.has(id)
}

/**
 * The TLP of an object from its `object_marking_refs` (TLP 2.0 or 1.0 ids); when several TLP markings are
 * present the most restrictive wins (a conflicting marking must never loosen sharing). Null when none is present.
 */
export function tlpFromMarkings(markingRefs: unknown): Tlp | null {
  if (!Array.isArray(markingRefs)) return null
  let found: Tlp | null = null
  for (const ref of markingRefs) {
    const tlp = typeof ref === 'string' ? TLP_BY_MARKING.get(ref) : undefined
    if (tlp && (found === null || TLP_LEVELS.indexOf(tlp) > TLP_LEVELS.indexOf(found))) found = tlp
  }
  return found
}

/** `tlp:amber`, `TLP:AMBER+STRICT`, `white`, … → the TLP 2.0 marking-definition id, or undefined if not a TLP level. */
export function tlpMarkingId(label: string): string | undefined {
  return MARKING_BY_LABEL.get(
    label
      .trim()
      .toLowerCase()
      .replace(/^tlp:\s*/, ''),
  )
}
