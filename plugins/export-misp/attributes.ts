import { createHash } from 'node:crypto'
import { observableValues, tlpOf, type ObservableValue, type StixObject } from '../../core/plugin-api/index.js'

/** The MISP attribute type and category of each value kind (MISP's describeTypes.json). */
const MISP_TYPES: Readonly<Record<ObservableValue['kind'], { type: string; category: string }>> = {
  'ipv4-addr': { type: 'ip-dst', category: 'Network activity' },
  'ipv6-addr': { type: 'ip-dst', category: 'Network activity' },
  'domain-name': { type: 'domain', category: 'Network activity' },
  url: { type: 'url', category: 'Network activity' },
  'email-addr': { type: 'email-src', category: 'Payload delivery' },
  md5: { type: 'md5', category: 'Payload delivery' },
  sha1: { type: 'sha1', category: 'Payload delivery' },
  sha256: { type: 'sha256', category: 'Payload delivery' },
  sha512: { type: 'sha512', category: 'Payload delivery' },
  'file-name': { type: 'filename', category: 'Payload delivery' },
}

/**
 * Pseudonyms (`.invalid` names) are plain text: as `domain`, `url` or `email-src` MISP would hand them to its
 * IDS exports, enrichment modules and warninglists as real values.
 */
const PSEUDONYM_TYPE = { type: 'text', category: 'Other' }

export interface MispAttribute {
  type: string
  category: string
  value: string
  to_ids: boolean
  uuid: string
  timestamp: string
  comment: string
  Tag: { name: string }[]
}

/** A stable UUID per (STIX id, value): re-importing the same export updates attributes instead of duplicating. */
export function attributeUuid(stixId: string, kind: string, value: string): string {
  const h = createHash('sha256').update(`${stixId}\n${kind}\n${value}`).digest('hex')
  // Version 5-shaped (name-based) UUID: version nibble 5, RFC 4122 variant.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Seconds since the epoch, as MISP writes timestamps (a string). */
export function epochSeconds(timestamp: unknown, fallback: number): string {
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN
  return String(Math.floor((Number.isNaN(ms) ? fallback : ms) / 1000))
}

/** Tags of an object: its labels as they are and its TLP level as `tlp:<level>`. */
export function tagsOf(obj: StixObject): string[] {
  const labels = Array.isArray(obj.labels) ? obj.labels.filter((l): l is string => typeof l === 'string') : []
  const tlp = tlpOf(obj)
  return tlp ? [...labels, `tlp:${tlp}`] : labels
}

/**
 * The attributes of one object: one per value. Indicator values are marked `to_ids` (they are meant for
 * detection), except pseudonyms; values of plain observables are not. The comment names the STIX object for
 * traceability, and for a pseudonym what it stands for. Networks are `ip-dst` with a CIDR value, which MISP
 * accepts as is.
 */
export function attributesOf(obj: StixObject, now: number): MispAttribute[] {
  const values = observableValues(obj)
  if (values.length === 0) return []
  const name = typeof obj.name === 'string' ? `${obj.name} ` : ''
  const source = `${name}(${obj.id})`
  const timestamp = epochSeconds(obj.modified, now)
  const Tag = tagsOf(obj).map((t) => ({ name: t }))
  return values.map((v) => {
    const pseudonym = 'pseudonym' in v && v.pseudonym
    return {
      ...(pseudonym ? PSEUDONYM_TYPE : MISP_TYPES[v.kind]),
      value: v.value,
      to_ids: obj.type === 'indicator' && !pseudonym,
      uuid: attributeUuid(obj.id, v.kind, v.value),
      timestamp,
      comment: (pseudonym ? `Pseudonymized ${v.kind}, not a real value: ${source}` : source).slice(0, 1024),
      Tag,
    }
  })
}
