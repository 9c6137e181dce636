import { observableValues, tlpOf, type ObservableValue, type StixObject } from '../../core/plugin-api/index.js'

export const CSV_COLUMNS = [
  'value',
  'type',
  'labels',
  'confidence',
  'tlp',
  'valid_from',
  'valid_until',
  'source_collection',
  'stix_id',
] as const

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')

/**
 * The `type` cell: the value kind, except for the two kinds a consumer must not take for what they look like:
 * networks (`ipv4-cidr`, `ipv6-cidr`, not one host) and pseudonyms (`pseudonym-domain-name`, … : they name
 * nothing real, and the prefix keeps a filter on `domain-name*` from catching them).
 */
function csvType(v: ObservableValue): string {
  if ('prefix' in v && v.prefix) return v.kind === 'ipv4-addr' ? 'ipv4-cidr' : 'ipv6-cidr'
  if ('pseudonym' in v && v.pseudonym) return `pseudonym-${v.kind}`
  return v.kind
}

/**
 * The rows of one object: one per value an indicator's pattern tests for, or an observable carries. Other
 * objects (reports, malware, relationships …) have no value to list and give no row. Multiple labels are
 * joined with `;` inside their cell.
 */
export function rowsOf(obj: StixObject, collection: string | undefined): string[][] {
  const values = observableValues(obj)
  if (values.length === 0) return []
  const labels = Array.isArray(obj.labels) ? obj.labels.filter((l): l is string => typeof l === 'string').join(';') : ''
  const shared = [
    labels,
    text(obj.confidence),
    tlpOf(obj) ?? '',
    text(obj.valid_from),
    text(obj.valid_until),
    collection ?? '',
    obj.id,
  ]
  return values.map((v) => [v.value, csvType(v), ...shared])
}
