import { anonymizeHashes } from './hash.js'
import type { AnonymizeEnv } from './policy.js'
import { scrubDeep } from './text.js'
import { anonymizeValue, type ValueKind } from './values.js'

/**
 * Cyber-observable objects: the value-bearing properties of each type are rewritten with their kind's rule;
 * every other string (email subjects, command lines, certificate subjects, extensions…) is scrubbed like free
 * text from medium, so a type this table does not name cannot leak what the scrubber recognises.
 */
const FIELDS: Readonly<Record<string, Readonly<Record<string, ValueKind>>>> = {
  'ipv4-addr': { value: { kind: 'ipv4' } },
  'ipv6-addr': { value: { kind: 'ipv6' } },
  'domain-name': { value: { kind: 'domain' } },
  url: { value: { kind: 'url' } },
  'email-addr': { value: { kind: 'email' }, display_name: { kind: 'person' } },
  'mac-addr': { value: { kind: 'mac' } },
  file: { name: { kind: 'file-name' } },
  directory: { path: { kind: 'path' } },
  artifact: { url: { kind: 'url' } },
  'user-account': {
    account_login: { kind: 'account', field: 'login' },
    user_id: { kind: 'account', field: 'user-id' },
    display_name: { kind: 'person' },
  },
}

/** Properties whose values are vocabulary, encodings or numbers-as-text: never scrubbed. */
const VERBATIM = new Set([
  'type', 'id', 'spec_version', 'mime_type', 'account_type', 'protocols', 'name_enc', 'path_enc',
  'encryption_algorithm', 'content_type', 'extensions', 'defanged', 'object_marking_refs', 'granular_markings',
  'hashes', 'payload_bin', 'is_multipart',
])

/** Things no trust level short of none should pass on. */
const ALWAYS_DROPPED = ['credential', 'decryption_key']

/** Returns false when the object must be withheld (raw artifact content cannot be anonymized). */
export function anonymizeScoFields(out: Record<string, unknown>, env: AnonymizeEnv): boolean {
  if (out.type === 'artifact' && out.payload_bin !== undefined && env.policy.pseudonymizeHashes) return false
  for (const key of ALWAYS_DROPPED) delete out[key]
  const fields = FIELDS[out.type as string] ?? {}
  for (const [key, value] of Object.entries(out)) {
    const kind = fields[key]
    if (kind !== undefined && typeof value === 'string') out[key] = anonymizeValue(kind, value, env)
    else if (key === 'hashes' && value !== null && typeof value === 'object') {
      out[key] = anonymizeHashes(value as Record<string, unknown>, env)
    } else if (!VERBATIM.has(key) && !key.endsWith('_ref') && !key.endsWith('_refs') && env.policy.scrubText) {
      out[key] = scrubDeep(value, env)
    }
  }
  if (env.policy.scrubText && out.extensions !== undefined) out.extensions = scrubExtensions(out.extensions, env)
  return true
}

/** Extension payloads (ntfs-ext stream names, http-request-ext values…) are scrubbed, keys kept. */
function scrubExtensions(extensions: unknown, env: AnonymizeEnv): unknown {
  if (extensions === null || typeof extensions !== 'object') return extensions
  const out: Record<string, unknown> = {}
  for (const [name, body] of Object.entries(extensions)) out[name] = scrubDeep(body, env)
  return out
}
