/**
 * Builds the STIX 2.1 objects feed sources generate: observables (SCOs with their spec-defined ids),
 * indicators with STIX patterns, deterministic ids for generated SDOs.
 */
import { uuidv5 } from '../stix/ids.js'
import type { StixObject } from './types.js'

/** UUIDv5 namespace of the SDO ids CRISP feed sources generate. */
const CRISP_FEED_NAMESPACE = '6f1c2a4e-93b5-4d7e-8a0f-3c5e7b9d1f24'

/** `<type>--<uuidv5>` from the parts naming the thing: re-runs produce the same id, so the core dedupes. */
export function deterministicId(type: string, ...nameParts: string[]): string {
  return `${type}--${uuidv5(CRISP_FEED_NAMESPACE, nameParts.join('\u001f'))}`
}

/** A string literal of the STIX patterning language: `'` and `\` escaped. */
export function patternString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

export interface Observable {
  /** The cyber-observable object, with its STIX §2.9 id. */
  sco: StixObject
  /** A STIX pattern matching it. */
  pattern: string
}

export interface IndicatorOptions {
  id: string
  pattern: string
  name: string
  created: string
  modified?: string
  validFrom: string
  validUntil?: string
  description?: string
  indicatorTypes?: string[]
  labels?: string[]
  confidence?: number
  createdByRef?: string
  markingRefs?: string[]
  externalReferences?: Array<Record<string, unknown>>
}

/** Drops properties STIX forbids empty: undefined values and empty lists. */
export function compactStixObject(obj: StixObject): StixObject {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue
    out[key] = value
  }
  // `type` and `id` are strings, so they were kept: restating them keeps their place and types the result.
  return { ...out, type: obj.type, id: obj.id }
}

export function buildIndicator(o: IndicatorOptions): StixObject {
  return compactStixObject({
    type: 'indicator',
    spec_version: '2.1',
    id: o.id,
    created: o.created,
    modified: o.modified ?? o.created,
    created_by_ref: o.createdByRef,
    name: o.name,
    description: o.description,
    indicator_types: o.indicatorTypes,
    pattern: o.pattern,
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: o.validFrom,
    valid_until: o.validUntil,
    labels: o.labels,
    confidence: o.confidence,
    object_marking_refs: o.markingRefs,
    external_references: o.externalReferences,
  })
}
