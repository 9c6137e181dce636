import type { AnonymizationLevel } from '../plugin-api/index.js'
import type { Tlp } from '../stix/tlp.js'

/** Level applied between organizations that have no trust relationship (issue 5: the configured default). */
export const DEFAULT_ANONYMIZATION_LEVEL: AnonymizationLevel = 'full'

export interface ReleaseInput {
  /** TLP 2.0 of the object version; null when it carries no TLP 2.0 marking. */
  tlp: Tlp | null
  /** Organization sharing the object: the owner of the collection it was published into. */
  producerOrgId: string
  readerOrgId: string
  /** Anonymization level of the producer's trust relationship towards the reader; null when there is none. */
  trustLevel: AnonymizationLevel | null
  defaultLevel?: AnonymizationLevel
}

export type ReleaseDecision =
  | { release: true; own: true }
  | { release: true; own: false; level: AnonymizationLevel }
  | { release: false; reason: 'tlp-red' | 'tlp-amber-strict' | 'tlp-amber-untrusted' }

/**
 * Whether an object may leave towards the reader and at which anonymization level (docs/sharing.md).
 * TLP is decided first, before any anonymization; the role of the reader (admin or not) plays no part.
 */
export function decideRelease(input: ReleaseInput): ReleaseDecision {
  if (input.producerOrgId === input.readerOrgId) return { release: true, own: true }
  if (input.tlp === 'red') return { release: false, reason: 'tlp-red' }
  if (input.tlp === 'amber+strict') return { release: false, reason: 'tlp-amber-strict' }
  if (input.tlp === 'amber' && input.trustLevel === null) return { release: false, reason: 'tlp-amber-untrusted' }
  return { release: true, own: false, level: anonymizationLevelFor(input.trustLevel, input.defaultLevel) }
}

/** The level an object is anonymized at for a reader the producer trusts at `trustLevel` (null: no relationship). */
export function anonymizationLevelFor(trustLevel: AnonymizationLevel | null, defaultLevel?: AnonymizationLevel): AnonymizationLevel {
  return trustLevel ?? defaultLevel ?? DEFAULT_ANONYMIZATION_LEVEL
}
