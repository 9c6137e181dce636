import { deterministicId } from '../plugin-api/stix-build.js'
import { toMicrosecondTimestamp } from '../stix/timestamps.js'
import type { StixObject } from '../stix/types.js'

/** The STIX 2.1 industry-sector-ov vocabulary (§10.13): the sectors an organization may declare. */
export const INDUSTRY_SECTORS = [
  'agriculture',
  'aerospace',
  'automotive',
  'chemical',
  'commercial',
  'communications',
  'construction',
  'defense',
  'education',
  'energy',
  'entertainment',
  'financial-services',
  'government',
  'government-emergency-services',
  'government-local',
  'government-national',
  'government-public-services',
  'government-regional',
  'healthcare',
  'hospitality-leisure',
  'infrastructure',
  'infrastructure-dams',
  'infrastructure-nuclear',
  'infrastructure-water',
  'insurance',
  'manufacturing',
  'mining',
  'non-profit',
  'pharmaceuticals',
  'retail',
  'technology',
  'telecommunications',
  'transportation',
  'utilities',
] as const

/**
 * The id of an organization's identity: derived from the organization's id (UUIDv5), so it is the same on
 * every start and on every copy, and equals the reporter identity of shared sightings (core/events).
 */
export function organizationIdentityId(orgId: string): string {
  return deterministicId('identity', 'crisp-organization', orgId)
}

/** An organization's STIX 2.1 identity as CRISP builds it (a type alias: assignable to `StixObject`). */
export type OrganizationIdentity = {
  type: 'identity'
  spec_version: '2.1'
  id: string
  created: string
  modified: string
  name: string
  identity_class: 'organization'
  sectors?: string[]
  contact_information?: string
}

const isText = (v: unknown): v is string => typeof v === 'string'

/** Whether a stored document is an identity CRISP built (the `stix_identity` column holds any JSON object). */
export function isOrganizationIdentity(o: StixObject): o is OrganizationIdentity {
  return (
    o.type === 'identity' &&
    o.spec_version === '2.1' &&
    o.identity_class === 'organization' &&
    isText(o.created) &&
    isText(o.modified) &&
    isText(o.name) &&
    (o.sectors === undefined || (Array.isArray(o.sectors) && o.sectors.every(isText))) &&
    (o.contact_information === undefined || isText(o.contact_information))
  )
}

/** What of an organization its identity states. */
export interface OrganizationFacts {
  id: string
  name: string
  sectors: readonly string[]
  /** `contact_information`: the organization's contact information, else its contact e-mail. */
  contactInformation: string | null
  contactEmail: string | null
}

const stamp = (d: Date) => toMicrosecondTimestamp(d)

/**
 * The organization as a STIX 2.1 identity (identity_class `organization`). Properties STIX forbids empty are
 * left out. `created` and `modified` are given: a version is (id, modified), and the same facts at the same
 * `modified` always give the same document (so the store sees a re-publication as unchanged).
 */
export function buildOrganizationIdentity(
  org: OrganizationFacts,
  times: { created: string; modified: string },
): OrganizationIdentity {
  const contact = org.contactInformation ?? org.contactEmail
  return {
    type: 'identity',
    spec_version: '2.1',
    id: organizationIdentityId(org.id),
    created: times.created,
    modified: times.modified,
    name: org.name,
    identity_class: 'organization',
    ...(org.sectors.length ? { sectors: [...org.sectors] } : {}),
    ...(contact ? { contact_information: contact } : {}),
  }
}

/** A new identity's timestamps: now, in the store's microsecond form. */
export function firstVersionTimes(now = new Date()): { created: string; modified: string } {
  const at = stamp(now)
  return { created: at, modified: at }
}

/** The `modified` of the next version: now, or 1 ms after the previous one if the clock is not past it. */
export function nextModified(previous: string, now = new Date()): string {
  const after = new Date(Date.parse(previous) + 1)
  return stamp(now.getTime() > Date.parse(previous) ? now : after)
}

/** Whether two identities state different facts (timestamps aside): only then is a new version due. */
export function identityFactsDiffer(a: OrganizationIdentity, b: OrganizationIdentity): boolean {
  const facts = (o: OrganizationIdentity) =>
    JSON.stringify([o.name, o.identity_class, o.sectors ?? [], o.contact_information ?? null])
  return facts(a) !== facts(b)
}
