import type { AnonymizeEnv } from './policy.js'
import { mapId, SCO_TYPES } from './refs.js'
import { ruleOf } from './rules.js'
import { nameAtFull, SCO_VALUE_FIELDS, TYPE_RULES } from './type-rules.js'
import { anonymizeValue } from './values.js'
import { DROP, rewriteNested, type Rewritten } from './walk.js'

/** The four TLP 1.0 definitions and the TLP 2.0 ones: predefined, shared verbatim by everybody. */
export const TLP_MARKING_IDS: ReadonlySet<string> = new Set([
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
])

/** From high, only TLP markings stay: other marking definitions may name the producer. */
function granularMarkings(value: unknown, env: AnonymizeEnv, depth: number): Rewritten {
  if (!Array.isArray(value) || !env.policy.anonymousIdentity) return rewriteNested('granular_markings', value, env, depth, 'stix')
  const tlp = value.filter((m: { marking_ref?: unknown }) => typeof m?.marking_ref === 'string' && TLP_MARKING_IDS.has(m.marking_ref))
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
export function rewriteProperties(obj: Readonly<Record<string, unknown>>, env: AnonymizeEnv, depth: number): Record<string, unknown> | null {
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
const SCO_COMMON = new Set(['type', 'id', 'spec_version', 'object_marking_refs', 'granular_markings', 'defanged', 'extensions'])

/** The deprecated `objects` dictionary of observed-data embeds SCOs: each gets the SCO rules, or all go. */
function embeddedObjects(value: unknown, env: AnonymizeEnv, depth: number): Rewritten {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return rewriteNested('objects', value, env, depth, 'stix')
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
