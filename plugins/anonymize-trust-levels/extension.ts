import type { StixObject } from '../../core/plugin-api/index.js'
import type { LevelPolicy } from './policy.js'

/**
 * Every anonymized object says what was done to it through a STIX 2.1 property extension, so a recipient
 * (or a tool) knows that a /16 is a truncation and a hash a keyed pseudonym. The definition is fixed: its id
 * never changes, and the platform serves the object below next to the data.
 */
export const ANONYMIZATION_EXTENSION_ID = 'extension-definition--3a9c5b8e-1f0d-4c62-9d2e-7b4a6f8e2c15'

/** The identity that publishes the extension definition: the CRISP platform itself. */
export const CRISP_IDENTITY_ID = 'identity--8f2d1c4b-5a6e-4b7f-9c3d-2e1f0a9b8c7d'

export const anonymizationExtensionDefinition: Readonly<StixObject> = Object.freeze({
  type: 'extension-definition',
  spec_version: '2.1',
  id: ANONYMIZATION_EXTENSION_ID,
  created_by_ref: CRISP_IDENTITY_ID,
  created: '2025-01-01T00:00:00.000Z',
  modified: '2025-01-01T00:00:00.000Z',
  name: 'CRISP anonymization',
  description:
    'States that the object was anonymized before sharing: `level` (low, medium, high, full) and `strategy` ' +
    '(the anonymization-strategy plugin id). Addresses may be CIDR truncations; names, domains and, at high ' +
    'and full, hashes may be keyed pseudonyms; SCO ids are keyed, not derived from the values.',
  schema: 'https://github.com/crisp-platform/crisp/blob/main/docs/anonymization.md',
  version: '1.0.0',
  extension_types: ['property-extension'],
})

/** Adds the marker, keeping the object's other extensions (file `ntfs-ext`, …). */
export function markAnonymized(out: Record<string, unknown>, policy: LevelPolicy): void {
  const existing = out.extensions
  const marker = { extension_type: 'property-extension', level: policy.level, strategy: 'trust-levels' }
  if (existing === null || typeof existing !== 'object') {
    // The common case, without spreading an empty object: same result as below.
    out.extensions = { [ANONYMIZATION_EXTENSION_ID]: marker }
    return
  }
  out.extensions = { ...(existing as Record<string, unknown>), [ANONYMIZATION_EXTENSION_ID]: marker }
}
