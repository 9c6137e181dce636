/**
 * IP addresses as numbers and CIDR ranges over them: what the egress policy needs to classify the address a
 * socket is about to connect to. Pure. Addresses are compared as numbers, so every spelling of one address
 * (`::ffff:127.0.0.1`, `::ffff:7f00:1`, `0:0:0:0:0:ffff:7f00:0001`) is the same address.
 */
import { isIPv4, isIPv6 } from 'node:net'

/** An address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  version: 4 | 6
  value: bigint
}

/** A range of addresses: those whose first `prefix` bits equal `base`'s. */
export interface Cidr {
  version: 4 | 6
  /** The network address (host bits cleared). */
  base: bigint
  prefix: number
}

const BITS = { 4: 32, 6: 128 } as const

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n)
}

function ipv6Value(text: string): bigint {
  let hex = text
  // A dotted IPv4 tail (`::ffff:1.2.3.4`) becomes its two hex groups.
  if (hex.includes('.')) {
    const cut = hex.lastIndexOf(':') + 1
    const v4 = ipv4Value(hex.slice(cut))
    hex = `${hex.slice(0, cut)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = hex.split('::')
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : []
  const groups =
    halves.length > 1 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n)
}

/** Parses an IPv4 or IPv6 address (brackets and a `%zone` suffix allowed); null when `text` is not one. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (isIPv4(bare)) return { version: 4, value: ipv4Value(bare) }
  if (isIPv6(bare)) return { version: 6, value: ipv6Value(bare) }
  return null
}

/**
 * Parses `address/prefix` (a bare address is a single host). Host bits are cleared: `10.20.0.5/16` means
 * `10.20.0.0/16`, the range its prefix names. Returns the reason when `text` is not a CIDR.
 */
export function parseCidr(text: string): Cidr | string {
  const [addressText, prefixText, extra] = text.trim().split('/')
  const address = parseIp(addressText)
  if (!address || extra !== undefined) return 'not an IP address or CIDR range (address/prefix)'
  const bits = BITS[address.version]
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (!(prefix >= 0 && prefix <= bits)) return `the prefix must be a number from 0 to ${bits}`
  const hostBits = BigInt(bits - prefix)
  return { version: address.version, base: (address.value >> hostBits) << hostBits, prefix }
}

/** Parses a CIDR written in code; throws on a typo. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text)
  if (typeof parsed === 'string') throw new Error(`${text}: ${parsed}`)
  return parsed
}

/** Whether `address` lies in `range` (an IPv4 range never contains an IPv6 address, nor the reverse). */
export function cidrContains(range: Cidr, address: IpAddress): boolean {
  if (range.version !== address.version) return false
  const hostBits = BigInt(BITS[range.version] - range.prefix)
  return address.value >> hostBits === range.base >> hostBits
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`) or NAT64 (`64:ff9b::/96`) IPv6 address. */
export function embeddedIPv4(address: IpAddress): IpAddress | null {
  if (address.version !== 6) return null
  const high = address.value >> 32n
  if (high === 0xffffn || high === 0x64ff9b0000000000000000n) return { version: 4, value: address.value & 0xffffffffn }
  return null
}
