import { createHash, randomUUID } from 'node:crypto'
import { canonicalJson } from './canonical-json.js'
import { isJsonObject } from './json-object.js'

/** `<type>--<UUID>`, the identifier pattern of the OASIS schema (common/identifier.json). */
const IDENTIFIER =
  /^([a-z][a-z0-9-]+[a-z0-9])--([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$/

/** STIX 2.1 §2.9: namespace of the UUIDv5 identifiers of cyber-observable objects. */
export const SCO_ID_NAMESPACE = '00abedb4-aa42-453b-950e-1cd49fd8c65b'

/** ID contributing properties of the STIX 2.1 SCO types (§6); process has none. */
export const ID_CONTRIBUTING_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  artifact: ['hashes', 'payload_bin'],
  'autonomous-system': ['number'],
  directory: ['path'],
  'domain-name': ['value'],
  'email-addr': ['value'],
  'email-message': ['from_ref', 'subject', 'body'],
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'],
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'mac-addr': ['value'],
  mutex: ['name'],
  'network-traffic': ['start', 'end', 'src_ref', 'dst_ref', 'src_port', 'dst_port', 'protocols', 'extensions'],
  process: [],
  software: ['name', 'cpe', 'swid', 'vendor', 'version'],
  url: ['value'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  'x509-certificate': ['hashes', 'serial_number'],
}

/** Hash algorithms in the order the reference implementation (python-stix2) picks one. */
const HASH_PREFERENCE = ['MD5', 'SHA-1', 'SHA-256', 'SHA-512']

export function isStixIdentifier(s: unknown): s is string {
  return typeof s === 'string' && IDENTIFIER.test(s)
}

/** Splits `indicator--<uuid>` into its parts, or null when `id` is not a STIX identifier. */
export function parseStixIdentifier(id: string): { type: string; uuid: string } | null {
  const m = IDENTIFIER.exec(id)
  return m ? { type: m[1], uuid: m[2] } : null
}

/** RFC 4122 §4.3 name-based UUID, version 5 (SHA-1). */
export function uuidv5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6] & 0x0f) | 0x50
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * The STIX 2.1 §2.9 identifier of an SCO: UUIDv5 over the canonical JSON (RFC 8785) of its ID
 * contributing properties. Of a `hashes` dictionary only one entry contributes, chosen like
 * python-stix2 does (MD5, SHA-1, SHA-256, SHA-512, else the first), so ids match the reference
 * implementation. Types without contributing properties (process, unknown custom types) or
 * objects carrying none of them get a random UUIDv4, as the specification requires.
 */
export function deterministicScoId(type: string, obj: Record<string, unknown>): string {
  const contributing: Record<string, unknown> = {}
  for (const key of ID_CONTRIBUTING_PROPERTIES[type] ?? []) {
    const value = obj[key]
    if (value === undefined || value === null) continue
    contributing[key] = key === 'hashes' && isJsonObject(value) ? chooseOneHash(value) : value
  }
  if (Object.keys(contributing).length === 0) return `${type}--${randomUUID()}`
  return `${type}--${uuidv5(SCO_ID_NAMESPACE, canonicalJson(contributing))}`
}

function chooseOneHash(hashes: Record<string, unknown>): Record<string, unknown> {
  const algorithm = HASH_PREFERENCE.find((name) => name in hashes) ?? Object.keys(hashes)[0]
  return algorithm === undefined ? {} : { [algorithm]: hashes[algorithm] }
}
