import { anonymizeHashes } from './hash.js'
import type { AnonymizeEnv } from './policy.js'
import { scrubText } from './text.js'
import { anonymizeUrl } from './url.js'

/**
 * External references to public knowledge bases (CVE, CAPEC, ATT&CK…) identify nobody: their source name,
 * their id when it has the base's own shape and their URL when it points at the base's own site are kept, so
 * `T1566` still links to ATT&CK; whatever else a producer wrote in them is treated like any other reference.
 * Other references may be the producer's own tickets and portals: from low their strings are scrubbed and
 * their URLs anonymized, and at high and full they are removed, since an internal ticket id alone can
 * identify the producer.
 */
const PUBLIC_SOURCES: Readonly<Record<string, { id: RegExp; hosts: readonly string[] }>> = (() => {
  const attack = { id: /^(?:T\d{4}(?:\.\d{3})?|TA\d{4}|[GSCM]\d{4}|DS\d{4}|A\d{4})$/, hosts: ['attack.mitre.org'] }
  return {
    cve: { id: /^CVE-\d{4}-\d{4,}$/, hosts: ['cve.mitre.org', 'www.cve.org', 'nvd.nist.gov'] },
    nvd: { id: /^CVE-\d{4}-\d{4,}$/, hosts: ['nvd.nist.gov'] },
    capec: { id: /^CAPEC-\d+$/, hosts: ['capec.mitre.org'] },
    cwe: { id: /^CWE-\d+$/, hosts: ['cwe.mitre.org'] },
    'mitre-attack': attack,
    'mitre-ics-attack': attack,
    'mitre-mobile-attack': attack,
    'mitre-pre-attack': attack,
    ATTACK: attack,
    'mitre-atlas': { id: /^AML\.[A-Z]+\d{4}(?:\.\d{3})?$/, hosts: ['atlas.mitre.org'] },
    'mitre-d3fend': { id: /^D3-[A-Z]+$/, hosts: ['d3fend.mitre.org'] },
    nist: { id: /^[A-Z]{2}-\d+(?:\(\d+\))?$/, hosts: ['csrc.nist.gov', 'nvd.nist.gov'] },
    owasp: { id: /^A\d{2}(?::\d{4})?$/, hosts: ['owasp.org'] },
  }
})()

type Reference = Record<string, unknown>

function isPublicUrl(url: unknown, hosts: readonly string[]): boolean {
  if (typeof url !== 'string') return false
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && u.username === '' && u.password === '' && hosts.includes(u.hostname)
  } catch {
    return false
  }
}

function scrubReference(ref: Reference, env: AnonymizeEnv, kept: ReadonlySet<string>): Reference {
  const out: Reference = {}
  for (const [key, value] of Object.entries(ref)) {
    if (kept.has(key)) out[key] = value
    else if (key === 'url' && typeof value === 'string') out.url = anonymizeUrl(value, env)
    else if (key === 'hashes' && value !== null && typeof value === 'object')
      out.hashes = anonymizeHashes(value as Reference, env)
    else if (key === 'description' && env.policy.dropFreeText) continue
    else if (typeof value === 'string') out[scrubText(key, env)] = scrubText(value, env)
  }
  return out
}

function anonymizeReference(ref: Reference, env: AnonymizeEnv): Reference | null {
  const source = typeof ref.source_name === 'string' ? PUBLIC_SOURCES[ref.source_name] : undefined
  if (source !== undefined && Object.hasOwn(PUBLIC_SOURCES, ref.source_name as string)) {
    // The schemas tie a public source to its id format: a reference that breaks it is not what it claims.
    if (ref.external_id !== undefined && !(typeof ref.external_id === 'string' && source.id.test(ref.external_id)))
      return null
    const kept = new Set(['source_name', 'external_id'])
    if (isPublicUrl(ref.url, source.hosts)) kept.add('url')
    return scrubReference(ref, env, kept)
  }
  if (env.policy.anonymousIdentity) return null
  return scrubReference(ref, env, new Set())
}

/** Returns the new list, or undefined when none is left (the property must then be absent, not empty). */
export function anonymizeExternalReferences(refs: readonly unknown[], env: AnonymizeEnv): unknown[] | undefined {
  const kept = refs.flatMap((ref: unknown) => {
    if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) return []
    const out = anonymizeReference(ref as Reference, env)
    // A reference needs a source_name and one of description, url or external_id (STIX 2.1 §2.5).
    return out === null || typeof out.source_name !== 'string' || Object.keys(out).length < 2 ? [] : [out]
  })
  return kept.length > 0 ? kept : undefined
}
