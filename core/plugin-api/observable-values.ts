/**
 * Values exporters print: the addresses, domains, URLs, hashes … an indicator's pattern tests for, or an
 * observable carries, and the TLP level of an object. Shared here so every exporter (built-in or third-party)
 * reads indicators the same way, through the STIX pattern parser rather than ad-hoc regular expressions.
 */
import { listComparisons, parsePattern, PatternSyntaxError } from '../stix/pattern/index.js'
import type { ComparisonNode, Literal } from '../stix/pattern/ast.js'
import type { StixObject } from './types.js'
import { tlpFromMarkings, type Tlp } from '../stix/tlp.js'

/** What a value is. IP kinds cover single addresses and CIDR prefixes (anonymization writes prefixes). */
export type ObservableKind =
  | 'ipv4-addr'
  | 'ipv6-addr'
  | 'domain-name'
  | 'url'
  | 'email-addr'
  | 'md5'
  | 'sha1'
  | 'sha256'
  | 'sha512'
  | 'file-name'

/** One value of an indicator or observable. */
export interface ObservableValue {
  kind: ObservableKind
  value: string
}

const HASH_KINDS: Readonly<Record<string, ObservableKind>> = {
  md5: 'md5',
  'sha-1': 'sha1',
  sha1: 'sha1',
  'sha-256': 'sha256',
  sha256: 'sha256',
  'sha-512': 'sha512',
  sha512: 'sha512',
}

const VALUE_TYPES: Readonly<Record<string, ObservableKind>> = {
  'ipv4-addr': 'ipv4-addr',
  'ipv6-addr': 'ipv6-addr',
  'domain-name': 'domain-name',
  url: 'url',
  'email-addr': 'email-addr',
}

/** `ipv4-addr:value` → ipv4-addr; `file:hashes.'SHA-256'` → sha256; `email-message:from_ref.value` → email-addr. */
function kindOfPath(cmp: ComparisonNode): ObservableKind | undefined {
  const keys = cmp.path.steps.map((s) => (s.kind === 'key' ? s.name : '[]'))
  const type = cmp.path.objectType
  if (keys.length === 1 && keys[0] === 'value') return VALUE_TYPES[type]
  if (type === 'file' && keys.length === 2 && keys[0] === 'hashes') return HASH_KINDS[keys[1].toLowerCase()]
  if (type === 'file' && keys.length === 1 && keys[0] === 'name') return 'file-name'
  if (type === 'email-message' && keys.join('.') === 'from_ref.value') return 'email-addr'
  return undefined
}

function literalStrings(cmp: ComparisonNode): string[] {
  const v = cmp.value
  if (!v) return []
  const all: Literal[] = v.kind === 'set' ? v.values : [v]
  return all.filter((l): l is Extract<Literal, { kind: 'string' }> => l.kind === 'string').map((l) => l.value)
}

/**
 * The values a STIX pattern asserts equality with (`=` and `IN`, not negated). Comparisons such as
 * `LIKE`, `MATCHES` or `!=` describe no single value and are skipped. An unparsable pattern gives none.
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
    if (cmp.negated || (cmp.operator !== '=' && cmp.operator !== 'IN')) continue
    const kind = kindOfPath(cmp)
    if (kind) for (const value of literalStrings(cmp)) found.push({ kind, value })
  }
  return found
}

/** The values of an indicator (STIX patterns only) or of an observable (SCO); none for other objects. */
export function observableValues(obj: StixObject): ObservableValue[] {
  if (obj.type === 'indicator') {
    return obj.pattern_type === 'stix' && typeof obj.pattern === 'string' ? patternValues(obj.pattern) : []
  }
  const direct = VALUE_TYPES[obj.type]
  if (direct) return typeof obj.value === 'string' ? [{ kind: direct, value: obj.value }] : []
  if (obj.type !== 'file') return []
  const found: ObservableValue[] = []
  const hashes = (obj.hashes ?? {}) as Record<string, unknown>
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
