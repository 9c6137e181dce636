import { anonymizeIdentityFields } from './identity.js'
import { anonymizePattern } from './pattern.js'
import type { AnonymizeEnv } from './policy.js'
import { scrubText } from './text.js'
import type { ValueKind } from './values.js'
import { DROP, rewriteNested, type Rewritten } from './walk.js'

/**
 * The few properties whose rule depends on the object's type. Each handler owns the listed keys (the generic
 * table does not see them) and returns false when the object must be withheld.
 */
export interface TypeRule {
  keys: ReadonlySet<string>
  apply(out: Record<string, unknown>, obj: Readonly<Record<string, unknown>>, env: AnonymizeEnv, depth: number): boolean
}

/** Value-bearing properties of cyber-observables, each rewritten with its kind's rule. */
export const SCO_VALUE_FIELDS: Readonly<Record<string, Readonly<Record<string, ValueKind>>>> = {
  'ipv4-addr': { value: { kind: 'ipv4' } },
  'ipv6-addr': { value: { kind: 'ipv6' } },
  'domain-name': { value: { kind: 'domain' } },
  url: { value: { kind: 'url' } },
  'email-addr': { value: { kind: 'email' } },
  'mac-addr': { value: { kind: 'mac' } },
  file: { name: { kind: 'file-name' } },
  directory: { path: { kind: 'path' } },
  artifact: { url: { kind: 'url' } },
}

/** Containers whose name is the producer's own prose ("Incident at ACME"): a keyed name at full. */
const PROSE_NAMED = new Set([
  'report',
  'grouping',
  'note',
  'opinion',
  'observed-data',
  'incident',
  'campaign',
  'infrastructure',
  'location',
  'course-of-action',
])
const withheld = (env: AnonymizeEnv) => `Withheld at anonymization level ${env.policy.level}.`

const set = (out: Record<string, unknown>, key: string, value: Rewritten) => {
  if (value === DROP || value === undefined) delete out[key]
  else out[key] = value
}

const indicator: TypeRule = {
  keys: new Set(['pattern']),
  apply(out, obj, env) {
    if (typeof obj.pattern !== 'string') return true
    // Only STIX patterns can be rewritten structurally; a YARA or Snort rule would leak what it matches.
    if (obj.pattern_type !== 'stix') {
      out.pattern = scrubText(obj.pattern, env)
      return env.policy.keepForeignPatterns
    }
    try {
      out.pattern = anonymizePattern(obj.pattern, env)
      return true
    } catch {
      return false
    }
  },
}

/** Street-level location data identifies a victim: dropped from medium, coordinates rounded from high. */
const location: TypeRule = {
  keys: new Set(['street_address', 'postal_code', 'city', 'administrative_area', 'precision', 'latitude', 'longitude']),
  apply(out, obj, env) {
    const coarse = env.policy.anonymousIdentity
    for (const key of this.keys) {
      const value = obj[key]
      if (value === undefined) continue
      if (key === 'street_address' || key === 'postal_code') {
        if (!env.policy.dropStreetAddress) set(out, key, rewriteNested(key, value, env, 1, 'stix'))
      } else if (!coarse) set(out, key, rewriteNested(key, value, env, 1, 'stix'))
      else if ((key === 'latitude' || key === 'longitude') && typeof value === 'number') out[key] = Math.round(value)
    }
    return true
  },
}

const identity: TypeRule = {
  keys: new Set(['name', 'contact_information']),
  apply(out, obj, env) {
    if (typeof obj.name === 'string') out.name = obj.name
    anonymizeIdentityFields(out, env)
    return true
  },
}

const note: TypeRule = {
  keys: new Set(['content']),
  apply(out, obj, env) {
    if (typeof obj.content === 'string')
      out.content = env.policy.dropFreeText ? withheld(env) : scrubText(obj.content, env)
    return true
  },
}

/** Translations of an object's text: at full there is no text left to translate. */
const languageContent: TypeRule = {
  keys: new Set(['contents']),
  apply(out, obj, env, depth) {
    if (env.policy.dropFreeText) return false
    set(out, 'contents', rewriteNested('contents', obj.contents, env, depth + 1, 'stix'))
    return out.contents !== undefined
  },
}

/** A statement marking may name its producer: replaced where the producer disappears (high, full). */
const markingDefinition: TypeRule = {
  keys: new Set(['definition']),
  apply(out, obj, env, depth) {
    const definition = obj.definition as Record<string, unknown> | undefined
    if (definition === undefined) return true
    if (obj.definition_type === 'statement' && env.policy.anonymousIdentity)
      out.definition = { statement: withheld(env) }
    else if (obj.definition_type === 'tlp') out.definition = definition
    else set(out, 'definition', rewriteNested('definition', definition, env, depth + 1, 'stix'))
    return out.definition !== undefined || obj.definition_type === undefined
  },
}

/** Raw artifact content cannot be anonymized: kept while hashes are, withheld from high. */
const artifact: TypeRule = {
  keys: new Set(['payload_bin']),
  apply(out, obj, env) {
    if (obj.payload_bin === undefined) return true
    out.payload_bin = obj.payload_bin
    return !env.policy.pseudonymizeHashes
  },
}

export const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  indicator,
  location,
  identity,
  note,
  'language-content': languageContent,
  'marking-definition': markingDefinition,
  artifact,
}

/** At full: prose-named containers get a keyed name, an indicator's name goes. */
export function nameAtFull(
  out: Record<string, unknown>,
  obj: Readonly<Record<string, unknown>>,
  env: AnonymizeEnv,
): void {
  if (!env.policy.dropFreeText || typeof obj.name !== 'string') return
  if (obj.type === 'indicator') delete out.name
  else if (PROSE_NAMED.has(obj.type as string)) out.name = `${obj.type} ${env.p.label('name', obj.name)}`
}
