import { anonymizeHashes } from './hash.js'
import type { AnonymizeEnv } from './policy.js'
import { scrubText } from './text.js'
import { anonymizeUrl } from './url.js'

/**
 * External references to public knowledge bases (CVE, CAPEC, ATT&CK…) identify nobody and stay. Others may be
 * the producer's own tickets and portals: from medium their URLs and descriptions are anonymized, and at high
 * and full they are removed, since an internal ticket id alone can identify the producer.
 */
const PUBLIC_SOURCES = new Set([
  'cve', 'capec', 'cwe', 'nvd', 'mitre-attack', 'mitre-ics-attack', 'mitre-mobile-attack', 'mitre-pre-attack',
  'ATTACK', 'mitre-atlas', 'mitre-d3fend', 'nist', 'owasp',
])

type Reference = Record<string, unknown>

function anonymizeReference(ref: Reference, env: AnonymizeEnv): Reference | null {
  if (PUBLIC_SOURCES.has(String(ref.source_name))) return ref
  if (env.policy.anonymousIdentity) return null
  if (!env.policy.scrubText) return ref
  const out = { ...ref }
  if (typeof out.url === 'string') out.url = anonymizeUrl(out.url, env)
  if (typeof out.description === 'string') out.description = scrubText(out.description, env)
  if (typeof out.external_id === 'string') out.external_id = scrubText(out.external_id, env)
  if (out.hashes !== null && typeof out.hashes === 'object') out.hashes = anonymizeHashes(out.hashes as Reference, env)
  return out
}

/** Returns the new list, or undefined when none is left (the property must then be absent, not empty). */
export function anonymizeExternalReferences(refs: unknown, env: AnonymizeEnv): unknown {
  if (!Array.isArray(refs)) return refs
  const kept = refs.flatMap((ref: unknown) => {
    if (ref === null || typeof ref !== 'object') return [ref]
    const out = anonymizeReference(ref as Reference, env)
    return out === null ? [] : [out]
  })
  return kept.length > 0 ? kept : undefined
}
