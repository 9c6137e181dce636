import { isIPv4, isIPv6 } from 'node:net'
import type { ObservableKind } from '../../core/plugin-api/index.js'

export interface DetectedValue {
  kind: ObservableKind
  /** The value normalised: refanged, hashes and domains lowercased. */
  value: string
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i
const EMAIL = /^[^@\s"'<>]+@([^@\s"'<>]+)$/
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
const HEX = /^[0-9a-f]+$/i
const HASH_KINDS: Record<number, ObservableKind> = { 32: 'md5', 40: 'sha1', 64: 'sha256' }

/** `hxxp://evil[.]com` → `http://evil.com`: lists often publish defanged values. */
function refang(value: string): string {
  return value
    .replace(/^hxxp/i, 'http')
    .replace(/\[\.\]|\(\.\)|\{\.\}/g, '.')
    .replace(/\[at\]|\[@\]/gi, '@')
}

/** Percent-encodes what RFC 3986 forbids in a URI (STIX url values must be URIs): `C:\\x` → `C:%5Cx`. */
function encodeUrlCharacters(url: string): string {
  return url.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/g, (c) => encodeURIComponent(c))
}

function isCidr(value: string, isAddress: (s: string) => boolean, maxPrefix: number): boolean {
  const [address, prefix, extra] = value.split('/')
  if (extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false
  return isAddress(address) && Number(prefix) <= maxPrefix
}

/** What a raw list value is (IPv4/IPv6 address or CIDR, URL, hash, email, domain), or null. */
export function detectValue(raw: string): DetectedValue | null {
  const value = refang(raw.trim())
  if (value === '') return null
  if (isIPv4(value) || isCidr(value, isIPv4, 32)) return { kind: 'ipv4-addr', value }
  if (isIPv6(value) || isCidr(value, isIPv6, 128)) return { kind: 'ipv6-addr', value: value.toLowerCase() }
  if (URL_SCHEME.test(value)) return URL.canParse(value) ? { kind: 'url', value: encodeUrlCharacters(value) } : null
  if (HEX.test(value) && HASH_KINDS[value.length]) return { kind: HASH_KINDS[value.length], value: value.toLowerCase() }
  const email = EMAIL.exec(value)
  if (email) return DOMAIN.test(email[1]) ? { kind: 'email-addr', value } : null
  const domain = value.replace(/\.$/, '').toLowerCase()
  if (DOMAIN.test(domain) && !/^[\d.]+$/.test(domain)) return { kind: 'domain-name', value: domain }
  return null
}
