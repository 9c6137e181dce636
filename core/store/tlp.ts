/** TLP 2.0 levels, from least to most restrictive. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const
export type Tlp = (typeof TLP_LEVELS)[number]

/** The TLP 2.0 marking-definition ids published by OASIS (STIX 2.1 §7.2.1.4 extension). */
export const TLP_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

const TLP_BY_MARKING = new Map<string, Tlp>(Object.entries(TLP_MARKING_IDS).map(([tlp, id]) => [id, tlp as Tlp]))

/**
 * The TLP of an object from its `object_marking_refs`; when several TLP markings are present the most
 * restrictive wins (a conflicting marking must never loosen sharing). Null when none is present.
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
