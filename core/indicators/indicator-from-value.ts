/**
 * One checked value → a STIX 2.1 indicator (with a pattern for it) and the observable it describes, built
 * with the plugin API's helpers, as a feed source would build them.
 */
import { randomUUID } from 'node:crypto'
import { buildIndicator, observableFor, TLP_MARKING_IDS, type StixObject, type Tlp } from '../plugin-api/index.js'
import type { IndicatorKind } from './value-kind.js'

export interface IndicatorFromValueInput {
  kind: IndicatorKind
  /** Already canonical (see `checkValue`). */
  value: string
  tlp?: Tlp
  confidence?: number
  labels?: string[]
  /** RFC 3339; defaults to `now`. */
  validFrom?: string
  validUntil?: string
  /** The creation time (millisecond RFC 3339). */
  now: string
  /** The indicator's id; a fresh random one by default. */
  id?: string
}

export interface IndicatorObjects {
  indicator: StixObject
  observable: StixObject
}

const KIND_NAMES: Readonly<Record<IndicatorKind, string>> = {
  'ipv4-addr': 'IPv4',
  'ipv6-addr': 'IPv6',
  'domain-name': 'Domain',
  url: 'URL',
  'email-addr': 'E-mail',
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
  'file-name': 'File name',
}
const MAX_NAME = 250

/** `IPv4 198.51.100.7`; long values are cut (the pattern and the observable keep the whole value). */
function nameOf(kind: IndicatorKind, value: string): string {
  const chars = [...value]
  const shown = chars.length > MAX_NAME ? `${chars.slice(0, MAX_NAME).join('')}…` : value
  return `${KIND_NAMES[kind]} ${shown}`
}

/** The indicator and its observable; both carry the TLP marking when one is given (none otherwise). */
export function indicatorFromValue(input: IndicatorFromValueInput): IndicatorObjects {
  const markingRefs = input.tlp ? [TLP_MARKING_IDS[input.tlp]] : undefined
  const { sco, pattern } = observableFor(input.kind, input.value, { markingRefs })
  const indicator = buildIndicator({
    id: input.id ?? `indicator--${randomUUID()}`,
    name: nameOf(input.kind, input.value),
    pattern,
    created: input.now,
    validFrom: input.validFrom ?? input.now,
    validUntil: input.validUntil,
    labels: input.labels,
    confidence: input.confidence,
    markingRefs,
  })
  return { indicator, observable: sco }
}
