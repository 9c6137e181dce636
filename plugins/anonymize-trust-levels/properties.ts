import type { AnonymizeEnv } from './policy.js'
import { isTlpMarkingId } from '../../core/plugin-api/index.js'
import { mapId, SCO_TYPES } from './refs.js'
import { ruleOf } from './rules.js'
import { nameAtFull, SCO_VALUE_FIELDS, TYPE_RULES } from './type-rules.js'
import { anonymizeValue } from './values.js'
import { DROP, rewriteNested, type Rewritten } from './walk.js'

/** From high, only TLP markings stay: other marking definitions may name the producer. */
function granularMarkings(value: unknown, env: AnonymizeEnv, depth: number): Rewritten {
  if (!Array.isArray(value) || !env.policy.anonymousIdentity)
    return rewriteNested('granular_markings', value, env, depth, 'stix')
  const tlp = value.filter((m: { marking_ref?: unknown }) => isTlpMarkingId(m?.marking_ref))
  return tlp.length ? rewriteNested('granular_markings', tlp, env, depth, 'stix') : DROP
}

function rewriteProperty(type: string, key: string, value: unknown, env: AnonymizeEnv, depth: number): Rewritten {
  if (key === 'id') return typeof value === 'string' ? mapId(value, env) : DROP
  const kind = SCO_VALUE_FIELDS[type]?.[key]
  if (kind !== undefined && typeof value === 'string') return anonymizeValue(kind, value, env)
  if (key === 'labels' && env.policy.dropLabels && !env.preserveLabels) return DROP
  if (key === 'granular_markings') return granularMarkings(value, env, depth)
  if (key === 'objects' && type === 'observed-data') return embeddedObjects(value, env, depth)
  const custom = ruleOf(key) === undefined
  // Custom and extension-defined properties carry producer-specific details: gone where the producer is.
  if (custom && env.policy.dropCustomProperties) return DROP
  return rewriteNested(key, value, env, depth, custom ? 'custom' : 'stix')
}

/**
 * Every property of an object through its rule (rules.ts), type-specific ones through their handler
 * (type-rules.ts). Returns null when the object must be withheld. Throws TooDeepError past MAX_DEPTH.
 */
export function rewriteProperties(
  obj: Readonly<Record<string, unknown>>,
  env: AnonymizeEnv,
  depth: number,
): Record<string, unknown> | null {
  const type = String(obj.type)
  const typeRule = TYPE_RULES[type]
  const out: Record<string, unknown> = {}
  for (const key in obj) {
    if (!Object.hasOwn(obj, key) || typeRule?.keys.has(key)) continue
    const rewritten = rewriteProperty(type, key, obj[key], env, depth + 1)
    if (rewritten !== DROP) out[key] = rewritten
  }
  if (typeRule && !typeRule.apply(out, obj, env, depth)) return null
  nameAtFull(out, obj, env)
  return SCO_TYPES.has(type) && !Object.keys(out).some((key) => !SCO_COMMON.has(key)) ? null : out
}

/** Properties every SCO may have: one left with nothing else (all its strings dropped at full) is withheld. */
const SCO_COMMON = new Set([
  'type',
  'id',
  'spec_version',
  'object_marking_refs',
  'granular_markings',
  'defanged',
  'extensions',
])

/** The deprecated `objects` dictionary of observed-data embeds SCOs: each gets the SCO rules, or all go. */
function embeddedObjects(value: unknown, env: AnonymizeEnv, depth: number): Rewritten {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return rewriteNested('objects', value, env, depth, 'stix')
  const out: Record<string, unknown> = {}
  for (const [key, embedded] of Object.entries(value)) {
    if (embedded === null || typeof embedded !== 'object' || Array.isArray(embedded)) return DROP
    const rewritten = rewriteProperties(embedded as Record<string, unknown>, env, depth + 1)
    if (rewritten === null) throw new WithheldError()
    out[key] = rewritten
  }
  return out
}

/** An embedded object that must be withheld withholds the object that embeds it. */
export class WithheldError extends Error {}
