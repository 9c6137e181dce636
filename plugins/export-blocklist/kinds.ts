import { isIPv4, isIPv6 } from 'node:net'
import type { ObservableValue } from '../../core/plugin-api/index.js'

export const BLOCKLIST_KINDS = ['ip', 'cidr', 'domain', 'url', 'sha256', 'md5'] as const
export type BlocklistKind = (typeof BLOCKLIST_KINDS)[number]

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?'
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+(?:xn--[a-z0-9-]{1,59}|[a-z][a-z0-9-]{0,61}[a-z0-9])$`)
const HEX = { sha256: /^[0-9a-f]{64}$/, md5: /^[0-9a-f]{32}$/ } as const
// Nothing that could break the one-value-per-line format or smuggle a second entry.
const UNSAFE = /[\s\u0000-\u001f\u007f]/

function splitPrefix(value: string): { address: string; prefix: number | undefined; v6: boolean } | null {
  const [address, prefix, extra] = value.split('/')
  if (extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return null
  const v6 = isIPv6(address)
  if (!v6 && !isIPv4(address)) return null
  const bits = prefix === undefined ? undefined : Number(prefix)
  if (bits !== undefined && bits > (v6 ? 128 : 32)) return null
  return { address: v6 ? address.toLowerCase() : address, prefix: bits, v6 }
}

function asIp(value: string): string | null {
  const ip = splitPrefix(value)
  if (!ip) return null
  const full = ip.v6 ? 128 : 32
  // A prefix covering one host is an address; wider prefixes (e.g. anonymized /24s) are not single IPs.
  return ip.prefix === undefined || ip.prefix === full ? ip.address : null
}

function asCidr(value: string): string | null {
  const ip = splitPrefix(value)
  return ip ? `${ip.address}/${ip.prefix ?? (ip.v6 ? 128 : 32)}` : null
}

function asDomain(value: string): string | null {
  const name = value.toLowerCase().replace(/\.$/, '')
  return name.length <= 253 && DOMAIN.test(name) ? name : null
}

function asUrl(value: string): string | null {
  if (!URL.canParse(value)) return null
  const { protocol, hostname } = new URL(value)
  return ['http:', 'https:', 'ftp:'].includes(protocol) && hostname !== '' ? value : null
}

/**
 * The line a value gives in a blocklist of `kind`, or null when it is not a valid value of that kind.
 * Pseudonyms (`.invalid` names) never make a line: whatever reads a blocklist takes every line as real.
 */
export function blocklistEntry(kind: BlocklistKind, v: ObservableValue): string | null {
  if (UNSAFE.test(v.value)) return null
  switch (kind) {
    case 'ip':
      return v.kind === 'ipv4-addr' || v.kind === 'ipv6-addr' ? asIp(v.value) : null
    case 'cidr':
      return v.kind === 'ipv4-addr' || v.kind === 'ipv6-addr' ? asCidr(v.value) : null
    case 'domain':
      return v.kind === 'domain-name' && !v.pseudonym ? asDomain(v.value) : null
    case 'url':
      return v.kind === 'url' && !v.pseudonym ? asUrl(v.value) : null
    case 'sha256':
    case 'md5': {
      const hash = v.value.toLowerCase()
      return v.kind === kind && HEX[kind].test(hash) ? hash : null
    }
  }
}
