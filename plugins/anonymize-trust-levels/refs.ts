import type { AnonymizeEnv } from './policy.js'
import { anonymousIdentityId } from './identity.js'

/**
 * SCO ids are UUIDv5 of their values (STIX 2.1 §2.9), so a kept id would leak the value (anyone can recompute
 * it from a guess). Recomputing the id from the anonymized value is not possible for an object that only
 * *references* the SCO: it has the id, not the value, and strategies see one object at a time without I/O.
 * So below none every SCO id maps to a keyed id, `<type>--HMAC(scope key, old id)` shaped as a UUIDv5: the
 * same mapping is applied to the SCO itself and to every `*_ref`/`*_refs` pointing at it, in any object and
 * at any depth (walk.ts), so references stay consistent across objects and the id no longer derives from the value.
 * At high and full every identity reference becomes the one anonymous identity.
 */
export const SCO_TYPES: ReadonlySet<string> = new Set([
  'artifact',
  'autonomous-system',
  'directory',
  'domain-name',
  'email-addr',
  'email-message',
  'file',
  'ipv4-addr',
  'ipv6-addr',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'url',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
])

export function mapId(id: string, env: AnonymizeEnv): string {
  const sep = id.indexOf('--')
  if (sep < 0) return id
  const type = id.slice(0, sep)
  // The level is part of the key: one SCO anonymized at two levels has two different values, so two ids.
  if (SCO_TYPES.has(type)) return `${type}--${env.p.uuid(`sco-id/${env.policy.level}`, id)}`
  if (type === 'identity' && env.policy.anonymousIdentity) return anonymousIdentityId(env)
  return id
}
