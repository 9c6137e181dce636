import { isIPv4, isIPv6 } from 'node:net'
import { deterministicScoId, type StixObject } from '../../core/plugin-api/index.js'
import { buildNamedFile, buildObservable, patternString, type Observable } from '../../core/plugin-api/index.js'

/** The observables of one attribute and the pattern an indicator made from it would carry. */
export interface MappedAttribute {
  scos: StixObject[]
  pattern: string
}

const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const
type HashKind = keyof typeof HASH_LENGTHS

function isHash(kind: HashKind, value: string): boolean {
  return value.length === HASH_LENGTHS[kind] && /^[0-9a-f]+$/i.test(value)
}

function ipKind(value: string): 'ipv4-addr' | 'ipv6-addr' | null {
  const [address, prefix, extra] = value.split('/')
  if (extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return null
  if (isIPv4(address) && (prefix === undefined || Number(prefix) <= 32)) return 'ipv4-addr'
  if (isIPv6(address) && (prefix === undefined || Number(prefix) <= 128)) return 'ipv6-addr'
  return null
}

const single = (o: Observable): MappedAttribute => ({ scos: [o.sco], pattern: o.pattern })

/** `198.51.100.7|443` of ip-src|port / ip-dst|port → the address and a network-traffic object. */
function ipWithPort(value: string, side: 'src' | 'dst'): MappedAttribute | string {
  const cut = value.lastIndexOf('|')
  const address = value.slice(0, cut)
  const port = Number(value.slice(cut + 1))
  const kind = ipKind(address)
  if (cut === -1 || kind === null || !Number.isInteger(port) || port < 0 || port > 65535) {
    return `"${value}" is not "<ip>|<port>"`
  }
  const ip = buildObservable(kind, address)
  const props = { [`${side}_ref`]: ip.sco.id, [`${side}_port`]: port, protocols: [kind.slice(0, 4)] }
  const traffic = {
    type: 'network-traffic',
    spec_version: '2.1',
    id: deterministicScoId('network-traffic', props),
    ...props,
  }
  const pattern =
    `[network-traffic:${side}_ref.type = '${kind}' AND network-traffic:${side}_ref.value = ${patternString(address)}` +
    ` AND network-traffic:${side}_port = ${port}]`
  return { scos: [ip.sco, traffic], pattern }
}

/** `example.com|198.51.100.7` → the domain (resolving to the address) and the address. */
function domainWithIp(value: string): MappedAttribute | string {
  const [domain, address] = value.split('|')
  const kind = address === undefined ? null : ipKind(address)
  if (!domain || kind === null) return `"${value}" is not "<domain>|<ip>"`
  const ip = buildObservable(kind, address)
  const name = domain.toLowerCase()
  const props = { value: name, resolves_to_refs: [ip.sco.id] }
  const sco = { type: 'domain-name', spec_version: '2.1', id: deterministicScoId('domain-name', props), ...props }
  const pattern = `[domain-name:value = ${patternString(name)} AND domain-name:resolves_to_refs[*].value = '${address}']`
  return { scos: [sco, ip.sco], pattern }
}

/** Maps a MISP attribute to STIX observables, or returns why it cannot. */
export function mapAttribute(type: string, rawValue: string): MappedAttribute | string {
  const value = String(rawValue).trim()
  switch (type) {
    case 'ip-src':
    case 'ip-dst': {
      const kind = ipKind(value)
      return kind ? single(buildObservable(kind, value.toLowerCase())) : `"${value}" is not an IP address`
    }
    case 'ip-src|port':
    case 'ip-dst|port':
      return ipWithPort(value, type.startsWith('ip-src') ? 'src' : 'dst')
    case 'domain':
    case 'hostname':
      return single(buildObservable('domain-name', value.toLowerCase()))
    case 'domain|ip':
      return domainWithIp(value)
    case 'url':
      return URL.canParse(value) ? single(buildObservable('url', value)) : `"${value}" is not a URL`
    case 'md5':
    case 'sha1':
    case 'sha256':
      return isHash(type, value) ? single(buildObservable(type, value)) : `"${value}" is not a ${type} hash`
    case 'filename|md5':
    case 'filename|sha1':
    case 'filename|sha256': {
      const hashKind = type.slice('filename|'.length) as HashKind
      const cut = value.lastIndexOf('|')
      const [name, hash] = [value.slice(0, cut), value.slice(cut + 1)]
      return cut > 0 && isHash(hashKind, hash)
        ? single(buildNamedFile(name, hashKind, hash))
        : `"${value}" is not "<filename>|<${hashKind}>"`
    }
    case 'filename': {
      const sco = { type: 'file', spec_version: '2.1', id: deterministicScoId('file', { name: value }), name: value }
      return { scos: [sco], pattern: `[file:name = ${patternString(value)}]` }
    }
    case 'email':
    case 'email-src':
    case 'email-dst':
      return /^[^@\s]+@[^@\s]+$/.test(value)
        ? single(buildObservable('email-addr', value))
        : `"${value}" is not an email address`
    case 'AS':
      return /^(AS)?\d+$/i.test(value)
        ? single(buildObservable('autonomous-system', value))
        : `"${value}" is not an AS number`
    default:
      return `unsupported MISP attribute type "${type}"`
  }
}
