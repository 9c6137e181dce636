import type { AnonymizeEnv } from './policy.js'
import { anonymousIdentityId } from './identity.js'

/**
 * SCO ids are UUIDv5 of their values (STIX 2.1 §2.9), so a kept id would leak the value (anyone can recompute
 * it from a guess). Recomputing the id from the anonymized value is not possible for an object that only
 * *references* the SCO: it has the id, not the value, and strategies see one object at a time without I/O.
 * So below none every SCO id maps to a keyed id, `<type>--HMAC(scope key, old id)` shaped as a UUIDv5: the
 * same mapping is applied to the SCO itself and to every `*_ref`/`*_refs` pointing at it, in any object,
 * so references stay consistent across objects and the id no longer derives from the value.
 * At high and full every identity reference becomes the one anonymous identity.
 */
export const SCO_TYPES: ReadonlySet<string> = new Set([
  'artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file',
  'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url',
  'user-account', 'windows-registry-key', 'x509-certificate',
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

function isRefKey(key: string): boolean {
  return key.endsWith('_ref') || key.endsWith('_refs')
}

function mapRefValue(value: unknown, env: AnonymizeEnv): unknown {
  if (typeof value === 'string') return mapId(value, env)
  if (Array.isArray(value)) {
    const mapped = value.map((item) => (typeof item === 'string' ? mapId(item, env) : item))
    // Several identities collapsing into the anonymous one would repeat it; refs lists are sets.
    return env.policy.anonymousIdentity ? [...new Set(mapped)] : mapped
  }
  return value
}

/**
 * Rewrites references anywhere in a JSON value (nested extensions, observed-data `objects`, email bodies).
 * Returns the same value when nothing changed, so unchanged subtrees are not copied.
 */
export function mapRefsDeep(value: unknown, env: AnonymizeEnv): unknown {
  if (Array.isArray(value)) {
    let changed = false
    const out = value.map((item) => {
      const mapped = mapRefsDeep(item, env)
      if (mapped !== item) changed = true
      return mapped
    })
    return changed ? out : value
  }
  if (value === null || typeof value !== 'object') return value
  let out: Record<string, unknown> | undefined
  for (const [key, item] of Object.entries(value)) {
    const mapped = isRefKey(key) ? mapRefValue(item, env) : mapRefsDeep(item, env)
    if (mapped !== item && !sameStrings(mapped, item)) {
      out ??= { ...(value as Record<string, unknown>) }
      out[key] = mapped
    }
  }
  return out ?? value
}

function sameStrings(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
  return a.every((item, i) => item === b[i])
}
