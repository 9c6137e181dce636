import { anonymizeExternalReferences } from './external-references.js'
import { anonymizeIdentityFields } from './identity.js'
import { anonymizePattern } from './pattern.js'
import type { AnonymizeEnv } from './policy.js'
import { anonymizeScoFields } from './sco.js'
import { scrubDeep } from './text.js'

/**
 * Domain objects, relationships, sightings and markings: free text is scrubbed from medium; at full optional
 * free text is dropped and required text replaced. Each rule returns false when the object must be withheld.
 */
const OPTIONAL_TEXT = ['description', 'abstract', 'explanation', 'objective', 'goals']
/** Scrubbed but kept at full: required by the schemas, or intelligence in themselves (malware aliases). */
const KEPT_TEXT = ['name', 'content', 'aliases', 'roles', 'tool_version', 'product', 'result_name']
const SCRUBBED_TEXT = [...OPTIONAL_TEXT, ...KEPT_TEXT]
/** Containers whose name is the producer's own prose ("Incident at ACME"); replaced at full. */
const PROSE_NAMED = new Set(['report', 'grouping', 'note', 'opinion', 'observed-data', 'incident'])
const WITHHELD_TEXT = 'Withheld at anonymization level full.'

function rewriteText(out: Record<string, unknown>, env: AnonymizeEnv): void {
  if (env.policy.dropFreeText) for (const key of OPTIONAL_TEXT) delete out[key]
  for (const key of env.policy.dropFreeText ? KEPT_TEXT : SCRUBBED_TEXT) {
    if (out[key] !== undefined) out[key] = scrubDeep(out[key], env)
  }
  if (!env.policy.dropFreeText) return
  if (out.type === 'indicator') delete out.name
  if (typeof out.name === 'string' && PROSE_NAMED.has(out.type as string)) {
    out.name = `${out.type} ${env.p.label('name', out.name)}`
  }
  if (typeof out.content === 'string') out.content = WITHHELD_TEXT
}

/** Street-level location data identifies a victim: dropped from medium, coordinates rounded from high. */
function coarsenLocation(out: Record<string, unknown>, env: AnonymizeEnv): void {
  if (!env.policy.scrubText) return
  delete out.street_address
  delete out.postal_code
  if (!env.policy.anonymousIdentity) return
  for (const key of ['city', 'administrative_area', 'precision']) delete out[key]
  for (const key of ['latitude', 'longitude']) if (typeof out[key] === 'number') out[key] = Math.round(out[key] as number)
}

function anonymizeIndicator(out: Record<string, unknown>, env: AnonymizeEnv): boolean {
  if (typeof out.pattern !== 'string') return true
  // Only STIX patterns can be rewritten structurally; a YARA or Snort rule would leak what it matches.
  if (out.pattern_type !== 'stix') return !env.policy.scrubText
  try {
    out.pattern = anonymizePattern(out.pattern, env)
    return true
  } catch {
    return false
  }
}

/** The deprecated `objects` dictionary of observed-data embeds SCOs: they get the SCO rules. */
function anonymizeEmbeddedObjects(out: Record<string, unknown>, env: AnonymizeEnv): boolean {
  const objects = out.objects
  if (objects === null || typeof objects !== 'object') return true
  const rewritten: Record<string, unknown> = {}
  for (const [key, embedded] of Object.entries(objects)) {
    const copy = { ...(embedded as Record<string, unknown>) }
    if (!anonymizeScoFields(copy, env)) return false
    rewritten[key] = copy
  }
  out.objects = rewritten
  return true
}

export function anonymizeDomainObjectFields(out: Record<string, unknown>, env: AnonymizeEnv): boolean {
  rewriteText(out, env)
  if (out.type === 'identity') anonymizeIdentityFields(out, env)
  if (out.type === 'location') coarsenLocation(out, env)
  if (out.type === 'marking-definition' && env.policy.scrubText && out.definition !== undefined) {
    out.definition = scrubDeep(out.definition, env)
  }
  if (out.type === 'language-content' && out.contents !== undefined) out.contents = scrubDeep(out.contents, env)
  if (out.type === 'indicator' && !anonymizeIndicator(out, env)) return false
  if (out.type === 'observed-data' && !anonymizeEmbeddedObjects(out, env)) return false
  return true
}

/** Properties every object type may carry. */
export function anonymizeCommonFields(out: Record<string, unknown>, env: AnonymizeEnv): void {
  if (out.external_references !== undefined) {
    const refs = anonymizeExternalReferences(out.external_references, env)
    if (refs === undefined) delete out.external_references
    else out.external_references = refs
  }
  if (env.policy.dropLabels && !env.preserveLabels) delete out.labels
  else if (Array.isArray(out.labels) && env.policy.scrubText) out.labels = scrubDeep(out.labels, env)
  if (env.policy.anonymousIdentity && Array.isArray(out.granular_markings)) {
    const tlp = out.granular_markings.filter((m: { marking_ref?: string }) => isTlpMarking(m.marking_ref))
    if (tlp.length > 0) out.granular_markings = tlp
    else delete out.granular_markings
  }
  for (const key of Object.keys(out)) {
    if (!key.startsWith('x_')) continue
    if (env.policy.dropCustomProperties) delete out[key]
    else if (env.policy.scrubText) out[key] = scrubDeep(out[key], env)
  }
}

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

function isTlpMarking(ref: string | undefined): boolean {
  return ref !== undefined && TLP_MARKING_IDS.has(ref)
}
