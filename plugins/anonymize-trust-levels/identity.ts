import type { StixObject } from '../../core/plugin-api/index.js'
import type { AnonymizeEnv } from './policy.js'
import { scrubText } from './text.js'

/**
 * At high and full the producer must not be recognisable. A strategy sees one object at a time and cannot
 * tell the producer's identity from a victim's, so every identity becomes the same anonymous identity: its id
 * is keyed (one per key and recipient scope) and its timestamps fixed, so all copies are the same version.
 */
const ANONYMOUS_TIMESTAMP = '2020-01-01T00:00:00.000Z'

export function anonymousIdentityId(env: AnonymizeEnv): string {
  return `identity--${env.p.uuid('anonymous-identity', 'crisp')}`
}

export function anonymousIdentity(env: AnonymizeEnv): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: anonymousIdentityId(env),
    created: ANONYMOUS_TIMESTAMP,
    modified: ANONYMOUS_TIMESTAMP,
    name: 'Anonymous',
    identity_class: 'unknown',
  }
}

/**
 * Below high an identity keeps its id: organizations stay named (partners know who shares), individuals'
 * names become pseudonyms from low and every identity's name from medium; contact details always go.
 */
const GROUP_CLASSES: ReadonlySet<string> = new Set(['organization', 'group', 'class', 'system'])

export function anonymizeIdentityFields(out: Record<string, unknown>, env: AnonymizeEnv): void {
  // A class other than a known group kind may be a person: named like one.
  const individual = typeof out.identity_class !== 'string' || !GROUP_CLASSES.has(out.identity_class)
  if (typeof out.name === 'string' && (individual || env.policy.pseudonymizeDomains)) {
    out.name = `${individual ? 'person' : 'identity'}-${env.p.label('identity-name', out.name)}`
  } else if (typeof out.name === 'string') {
    out.name = scrubText(out.name, env)
  }
  delete out.contact_information
}
