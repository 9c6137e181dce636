import type { AnonymizeEnv } from './policy.js'

/**
 * IP addresses become CIDR networks (the prefix of the level) or, at full, a keyed address in a reserved
 * range that can never be routed: 240.0.0.0/4 ("reserved for future use") and 2001:db8::/32 (documentation).
 */
export interface AnonymizedIp {
  value: string
  /** True when the value is a network (CIDR) rather than one address: `=` in a pattern becomes ISSUBSET. */
  network: boolean
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/

function parseIpv4(text: string): { n: number; prefix: number } | null {
  const m = IPV4.exec(text)
  if (!m) return null
  const octets = [m[1], m[2], m[3], m[4]].map(Number)
  if (octets.some((o) => o > 255)) return null
  const prefix = m[5] === undefined ? 32 : Number(m[5])
  if (prefix > 32) return null
  return { n: ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, prefix }
}

function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

/** Eight 16-bit groups, or null. Accepts `::`, an embedded IPv4 tail, a zone id and a prefix. */
function parseIpv6(text: string): { groups: number[]; prefix: number } | null {
  const [addressWithZone, prefixText, extra] = text.split('/')
  if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) return null
  const prefix = prefixText === undefined ? 128 : Number(prefixText)
  if (prefix > 128) return null
  let address = addressWithZone.split('%')[0]
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (v4) {
    const parsed = parseIpv4(v4[1])
    if (!parsed) return null
    address = `${address.slice(0, v4.index)}${(parsed.n >>> 16).toString(16)}:${(parsed.n & 0xffff).toString(16)}`
  }
  const halves = address.split('::')
  if (halves.length > 2) return null
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'))
  const head = toGroups(halves[0])
  const tail = halves.length === 2 ? toGroups(halves[1]) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null
  return { groups: all.map((g) => parseInt(g, 16)), prefix }
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(groups: number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    let j = i
    while (j < 8 && groups[j] === 0) j += 1
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i]
    i = j === i ? i + 1 : j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

function maskIpv6(groups: number[], prefix: number): number[] {
  return groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, prefix - i * 16))
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff)
  })
}

// 240–254: inside 240.0.0.0/4 and never the limited broadcast address 255.255.255.255.
const formatPseudoIpv4 = (b: Buffer) => `${240 + (b[0] % 15)}.${b[1]}.${b[2]}.${b[3]}`

function formatPseudoIpv6(bytes: Buffer): string {
  const hex = bytes.toString('hex')
  // Full, zero-padded groups: never a `::` form, so no shorter original can hide inside the text.
  const groups = Array.from({ length: 6 }, (_, i) => hex.slice(i * 4, i * 4 + 4))
  return `2001:0db8:${groups.join(':')}`
}

const pseudoIpv4 = (env: AnonymizeEnv, key: string) => env.p.derive('ipv4', key, formatPseudoIpv4)
const pseudoIpv6 = (env: AnonymizeEnv, key: string) => env.p.derive('ipv6', key, formatPseudoIpv6)

export function anonymizeIpv4(value: string, env: AnonymizeEnv): AnonymizedIp {
  const parsed = parseIpv4(value)
  const prefix = env.policy.ipv4Prefix
  if (!parsed || prefix === null) {
    const key = parsed ? `${formatIpv4(parsed.n)}/${parsed.prefix}` : value
    return { value: pseudoIpv4(env, key), network: false }
  }
  const kept = Math.min(prefix, parsed.prefix)
  const mask = kept === 0 ? 0 : (0xffffffff << (32 - kept)) >>> 0
  return { value: `${formatIpv4((parsed.n & mask) >>> 0)}/${kept}`, network: true }
}

export function anonymizeIpv6(value: string, env: AnonymizeEnv): AnonymizedIp {
  const parsed = parseIpv6(value)
  const prefix = env.policy.ipv6Prefix
  if (!parsed || prefix === null) {
    const key = parsed ? `${formatIpv6(parsed.groups)}/${parsed.prefix}` : value.toLowerCase()
    return { value: pseudoIpv6(env, key), network: false }
  }
  const kept = Math.min(prefix, parsed.prefix)
  return { value: `${formatIpv6(maskIpv6(parsed.groups, kept))}/${kept}`, network: true }
}

/** Either family, told apart by the text; used for URL hosts, free text and pattern paths of unknown type. */
export function anonymizeIp(value: string, env: AnonymizeEnv): AnonymizedIp {
  return value.includes(':') ? anonymizeIpv6(value, env) : anonymizeIpv4(value, env)
}

export function looksLikeIp(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && parseIpv6(value) !== null)
}
