/**
 * Values exporters print: the addresses, domains, URLs, hashes … an indicator's pattern tests for, or an
 * observable carries, and the TLP level of an object. Shared here so every exporter (built-in or third-party)
 * reads indicators the same way, through the STIX pattern parser rather than ad-hoc regular expressions.
 */
import { listComparisons, parsePattern, PatternSyntaxError } from '../stix/pattern/index.js'
import type { ComparisonNode, Literal } from '../stix/pattern/ast.js'
import type { StixObject } from './types.js'
import { isJsonObject } from '../stix/json-object.js'
import { tlpFromMarkings, type Tlp } from '../stix/tlp.js'

/**
 * The kinds of value `observableValues` reads back from indicators and observables: what exporters print, what
 * security events may carry and what an analyst may publish as an indicator.
 */
export const VALUE_KINDS = [
  'ipv4-addr',
  'ipv6-addr',
  'domain-name',
  'url',
  'email-addr',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'file-name',
] as const

/**
 * Every kind of value the plugin API builds observables from (`buildObservable`, `observableFor`): the value
 * kinds and `autonomous-system`. The one vocabulary of feed sources, exporters and the core.
 */
export const OBSERVABLE_KINDS = [...VALUE_KINDS, 'autonomous-system'] as const

/** What a value is. */
export type ObservableKind = (typeof OBSERVABLE_KINDS)[number]

/** An address value: one IPv4/IPv6 address, or a network in CIDR notation. */
export interface IpValue {
  kind: Extract<ObservableKind, 'ipv4-addr' | 'ipv6-addr'>
  /** As written, prefix length included: `198.51.100.7`, `198.51.0.0/16`, `2001:db8::/48`. */
  value: string
  /**
   * True when `value` is CIDR notation (`/n`, `/32` included): a network, which anonymization writes in
   * place of an address. A consumer that takes single hosts must not read it as one.
   */
  prefix: boolean
}

/** A value that names a host or mailbox: a domain name, a URL or an email address. */
export interface HostValue {
  kind: Extract<ObservableKind, 'domain-name' | 'url' | 'email-addr'>
  value: string
  /**
   * True when its domain is under `.invalid` (RFC 6761: it never resolves), the form anonymization gives
   * pseudonyms. It names nothing real: it helps correlate sightings but must not reach a consumer that acts
   * on values as real hosts (block lists, IDS rules).
   */
  pseudonym: boolean
}

/** A file hash (by algorithm) or a file name. */
export interface FileValue {
  kind: Extract<ObservableKind, 'md5' | 'sha1' | 'sha256' | 'sha512' | 'file-name'>
  value: string
}

/** One value of an indicator or observable; narrow on `kind` to reach `prefix` or `pseudonym`. */
export type ObservableValue = IpValue | HostValue | FileValue

/** The kinds {@link observableValues} reads: every {@link ObservableKind} but `autonomous-system`. */
type ObservableValueKind = ObservableValue['kind']

const HASH_KINDS: Readonly<Record<string, FileValue['kind']>> = {
  md5: 'md5',
  'sha-1': 'sha1',
  sha1: 'sha1',
  'sha-256': 'sha256',
  sha256: 'sha256',
  'sha-512': 'sha512',
  sha512: 'sha512',
}

const VALUE_TYPES: Readonly<Record<string, ObservableValueKind>> = {
  'ipv4-addr': 'ipv4-addr',
  'ipv6-addr': 'ipv6-addr',
  'domain-name': 'domain-name',
  url: 'url',
  'email-addr': 'email-addr',
}

/** `ipv4-addr:value` → ipv4-addr; `file:hashes.'SHA-256'` → sha256; `email-message:from_ref.value` → email-addr. */
function kindOfPath(cmp: ComparisonNode): ObservableValueKind | undefined {
  const keys = cmp.path.steps.map((s) => (s.kind === 'key' ? s.name : '[]'))
  const type = cmp.path.objectType
  if (keys.length === 1 && keys[0] === 'value') return VALUE_TYPES[type]
  if (type === 'file' && keys.length === 2 && keys[0] === 'hashes') return HASH_KINDS[keys[1].toLowerCase()]
  if (type === 'file' && keys.length === 1 && keys[0] === 'name') return 'file-name'
  if (type === 'email-message' && keys.join('.') === 'from_ref.value') return 'email-addr'
  return undefined
}

const isIpKind = (kind: ObservableValueKind): kind is IpValue['kind'] => kind === 'ipv4-addr' || kind === 'ipv6-addr'

function hostOf(kind: HostValue['kind'], value: string): string {
  if (kind === 'domain-name') return value
  if (kind === 'email-addr') return value.slice(value.lastIndexOf('@') + 1)
  return URL.canParse(value) ? new URL(value).hostname : ''
}

function isPseudonym(kind: HostValue['kind'], value: string): boolean {
  // Nearly no value is one: the cheap text test spares parsing every URL of an export.
  if (!/invalid/i.test(value)) return false
  const host = hostOf(kind, value).toLowerCase().replace(/\.$/, '')
  return host === 'invalid' || host.endsWith('.invalid')
}

function toValue(kind: ObservableValueKind, value: string): ObservableValue {
  if (isIpKind(kind)) return { kind, value, prefix: value.includes('/') }
  if (kind === 'domain-name' || kind === 'url' || kind === 'email-addr')
    return { kind, value, pseudonym: isPseudonym(kind, value) }
  return { kind, value }
}

/**
 * `=` and `IN` assert a value. `ISSUBSET` on an address path asserts membership in a network: anonymization
 * turns `= '198.51.100.7'` into `ISSUBSET '198.51.0.0/16'`, and that network is the value to export.
 */
function assertsValue(cmp: ComparisonNode, kind: ObservableValueKind): boolean {
  if (cmp.negated) return false
  return cmp.operator === '=' || cmp.operator === 'IN' || (cmp.operator === 'ISSUBSET' && isIpKind(kind))
}

function literalStrings(cmp: ComparisonNode): string[] {
  const v = cmp.value
  if (!v) return []
  const all: Literal[] = v.kind === 'set' ? v.values : [v]
  return all.filter((l): l is Extract<Literal, { kind: 'string' }> => l.kind === 'string').map((l) => l.value)
}

/**
 * The values a STIX pattern asserts (`=`, `IN`, and `ISSUBSET` on `ipv4-addr`/`ipv6-addr` values, not
 * negated). Comparisons such as `LIKE`, `MATCHES` or `!=` describe no single value and are skipped. An
 * unparsable pattern gives none.
 */
export function patternValues(pattern: string): ObservableValue[] {
  let comparisons: ComparisonNode[]
  try {
    comparisons = listComparisons(parsePattern(pattern))
  } catch (err) {
    if (err instanceof PatternSyntaxError) return []
    throw err
  }
  const found: ObservableValue[] = []
  for (const cmp of comparisons) {
    const kind = kindOfPath(cmp)
    if (kind && assertsValue(cmp, kind)) for (const value of literalStrings(cmp)) found.push(toValue(kind, value))
  }
  return found
}

/** The values of an indicator (STIX patterns only) or of an observable (SCO); none for other objects. */
export function observableValues(obj: StixObject): ObservableValue[] {
  if (obj.type === 'indicator') {
    return obj.pattern_type === 'stix' && typeof obj.pattern === 'string' ? patternValues(obj.pattern) : []
  }
  const direct = VALUE_TYPES[obj.type]
  if (direct) return typeof obj.value === 'string' ? [toValue(direct, obj.value)] : []
  if (obj.type !== 'file') return []
  const found: ObservableValue[] = []
  const hashes = isJsonObject(obj.hashes) ? obj.hashes : {}
  for (const [algo, hash] of Object.entries(hashes)) {
    const kind = HASH_KINDS[algo.toLowerCase()]
    if (kind && typeof hash === 'string') found.push({ kind, value: hash })
  }
  if (typeof obj.name === 'string') found.push({ kind: 'file-name', value: obj.name })
  return found
}

/** TLP levels, least restrictive first (the type name plugins already use). */
export type TlpLevel = Tlp

/** The most restrictive TLP level among the object's markings, or undefined when it carries none. */
export function tlpOf(obj: StixObject): TlpLevel | undefined {
  return tlpFromMarkings(obj.object_marking_refs) ?? undefined
}
