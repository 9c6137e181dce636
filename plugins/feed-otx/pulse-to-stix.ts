import { isIPv4, isIPv6 } from 'node:net'
import type { FeedItem, StixObject } from '../../core/plugin-api/index.js'
import type { OtxConfig } from './config.js'
import {
  buildIndicator,
  buildObservable,
  compactStixObject,
  deterministicId,
  type ObservableKind,
} from '../../core/plugin-api/index.js'
import { tlpMarkingId } from '../../core/plugin-api/index.js'

export interface OtxIndicator {
  id: number | string
  indicator: string
  type: string
  created?: string
  title?: string
  description?: string
  expiration?: string | null
}

export interface OtxPulse {
  id: string
  name: string
  description?: string
  author_name?: string
  created: string
  modified: string
  tlp?: string
  TLP?: string
  tags?: string[]
  references?: string[]
  indicators?: OtxIndicator[]
}

/** OTX writes `2024-03-01T10:00:00.123000` (UTC, no zone) → STIX timestamp; undefined when unreadable. */
export function otxTimestamp(text: string | null | undefined): string | undefined {
  if (!text) return undefined
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

const HASH_TYPES: Record<string, ObservableKind> = {
  'FileHash-MD5': 'md5',
  'FileHash-SHA1': 'sha1',
  'FileHash-SHA256': 'sha256',
}

/** The observable kind of an OTX indicator type, or null when unsupported. */
function kindOf(type: string, value: string): ObservableKind | null {
  switch (type) {
    case 'IPv4':
      return isIPv4(value) ? 'ipv4-addr' : null
    case 'IPv6':
      return isIPv6(value) ? 'ipv6-addr' : null
    case 'CIDR':
      return isIPv4(value.split('/')[0]) ? 'ipv4-addr' : isIPv6(value.split('/')[0]) ? 'ipv6-addr' : null
    case 'domain':
    case 'hostname':
      return 'domain-name'
    case 'URL':
      return URL.canParse(value) ? 'url' : null
    case 'email':
      return 'email-addr'
    default:
      return HASH_TYPES[type] ?? null
  }
}

const SUPPORTED = new Set([
  'IPv4',
  'IPv6',
  'CIDR',
  'domain',
  'hostname',
  'URL',
  'email',
  'CVE',
  ...Object.keys(HASH_TYPES),
])

interface Context {
  pulse: OtxPulse
  config: OtxConfig
  markings: string[]
  modified: string
}

function indicatorToObjects(ind: OtxIndicator, ctx: Context): StixObject[] | string {
  const { pulse, config, markings } = ctx
  const created = otxTimestamp(ind.created) ?? otxTimestamp(pulse.created) ?? ctx.modified
  const modified = Date.parse(ctx.modified) > Date.parse(created) ? ctx.modified : created
  if (ind.type === 'CVE') {
    const cve = ind.indicator.trim().toUpperCase()
    return [
      compactStixObject({
        type: 'vulnerability',
        spec_version: '2.1',
        id: deterministicId('vulnerability', cve),
        created,
        modified,
        name: cve,
        external_references: [{ source_name: 'cve', external_id: cve }],
        object_marking_refs: markings,
      }),
    ]
  }
  if (!SUPPORTED.has(ind.type)) return `unsupported OTX indicator type "${ind.type}"`
  const kind = kindOf(ind.type, ind.indicator.trim())
  if (kind === null) return `"${ind.indicator}" is not a valid ${ind.type}`
  const value = kind === 'domain-name' ? ind.indicator.trim().toLowerCase() : ind.indicator.trim()
  const observable = buildObservable(kind, value)
  const indicator = buildIndicator({
    id: deterministicId('indicator', 'otx', pulse.id, String(ind.id)),
    pattern: observable.pattern,
    name: ind.title || `${ind.type}: ${ind.indicator}`,
    description: ind.description || undefined,
    created,
    modified,
    validFrom: created,
    validUntil: otxTimestamp(ind.expiration),
    indicatorTypes: config.indicatorTypes,
    labels: pulse.tags,
    markingRefs: markings,
  })
  return [compactStixObject({ ...observable.sco, object_marking_refs: markings }), indicator]
}

/** A pulse → its indicators' objects, then a report referring to them (if any converted). */
export function pulseToItems(pulse: OtxPulse, config: OtxConfig): FeedItem[] {
  const modified = otxTimestamp(pulse.modified) ?? new Date().toISOString()
  const marking = tlpMarkingId(pulse.tlp ?? pulse.TLP ?? '')
  const ctx: Context = { pulse, config, markings: marking ? [marking] : [], modified }
  const items: FeedItem[] = []
  const seen = new Set<string>()
  for (const ind of pulse.indicators ?? []) {
    const converted = indicatorToObjects(ind, ctx)
    if (typeof converted === 'string') {
      items.push({
        kind: 'rejected',
        reason: `pulse ${pulse.id} indicator ${ind.id}: ${converted}`,
        ref: `${pulse.id}/${ind.id}`,
      })
      continue
    }
    for (const object of converted) {
      if (seen.has(object.id)) continue
      seen.add(object.id)
      items.push({ kind: 'object', object })
    }
  }
  if (seen.size === 0) return items
  const created = otxTimestamp(pulse.created) ?? modified
  const report = compactStixObject({
    type: 'report',
    spec_version: '2.1',
    id: deterministicId('report', 'otx', pulse.id),
    created,
    modified: Date.parse(modified) >= Date.parse(created) ? modified : created,
    name: pulse.name,
    description: pulse.description || undefined,
    report_types: ['threat-report'],
    published: created,
    object_refs: [...seen],
    labels: pulse.tags,
    object_marking_refs: ctx.markings,
    external_references: [
      {
        source_name: 'AlienVault OTX',
        external_id: pulse.id,
        url: `${config.baseUrl.replace(/\/$/, '')}/pulse/${pulse.id}`,
      },
      ...(pulse.references ?? []).filter((r) => URL.canParse(r)).map((url) => ({ source_name: 'reference', url })),
    ],
  })
  items.push({ kind: 'object', object: report })
  return items
}
