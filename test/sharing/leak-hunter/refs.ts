/**
 * Identifiers in generated objects: the target type a reference property expects (from the schema's id
 * patterns, else from the property's name), and sometimes the standard UUIDv5 id of an observable holding a
 * canary value: a recipient who guesses the value can compute that id, so it is a canary itself.
 */
import { deterministicScoId } from '../../../core/stix/ids.js'
import type { Planter } from './planter.js'
import { SCO_TYPES, SDO_TYPES, STIX_TYPES, type View } from './schemas.js'

const SCOS = [...SCO_TYPES]
const SDOS = [...SDO_TYPES]
/** Targets by property name where the schemas say nothing (SCO refs are bare strings there). */
const TARGETS: Readonly<Record<string, readonly string[]>> = {
  created_by_ref: ['identity'],
  where_sighted_refs: ['identity', 'location'],
  object_marking_refs: ['marking-definition'],
  marking_ref: ['marking-definition'],
  observed_data_refs: ['observed-data'],
  sighting_of_ref: [...SDOS, ...SCOS],
  source_ref: [...SDOS, ...SCOS],
  target_ref: [...SDOS, ...SCOS],
  object_ref: [...SDOS, ...SCOS],
  src_ref: ['ipv4-addr', 'ipv6-addr', 'domain-name', 'mac-addr'],
  dst_ref: ['ipv4-addr', 'ipv6-addr', 'domain-name', 'mac-addr'],
  resolves_to_refs: ['ipv4-addr', 'ipv6-addr', 'domain-name', 'mac-addr'],
  from_ref: ['email-addr'],
  sender_ref: ['email-addr'],
  to_refs: ['email-addr'],
  cc_refs: ['email-addr'],
  bcc_refs: ['email-addr'],
  belongs_to_ref: ['user-account'],
  belongs_to_refs: ['autonomous-system'],
  raw_email_ref: ['artifact'],
  body_raw_ref: ['artifact', 'file'],
  content_ref: ['artifact'],
  src_payload_ref: ['artifact'],
  dst_payload_ref: ['artifact'],
  message_body_data_ref: ['artifact'],
  parent_directory_ref: ['directory'],
  contains_refs: SCOS,
  opened_connection_refs: ['network-traffic'],
  encapsulates_refs: ['network-traffic'],
  encapsulated_by_ref: ['network-traffic'],
  creator_user_ref: ['user-account'],
  image_ref: ['file'],
  service_dll_refs: ['file'],
  parent_ref: ['process'],
  child_refs: ['process'],
  analysis_sco_refs: SCOS,
  sample_ref: ['file', 'artifact', 'network-traffic'],
}

/** Observable types whose standard id derives from one canary-shaped value. */
const VALUE_IDS: Readonly<
  Record<string, { kind: 'ipv4' | 'ipv6' | 'domain' | 'email' | 'url' | 'file'; prop: string }>
> = {
  'ipv4-addr': { kind: 'ipv4', prop: 'value' },
  'ipv6-addr': { kind: 'ipv6', prop: 'value' },
  'domain-name': { kind: 'domain', prop: 'value' },
  'email-addr': { kind: 'email', prop: 'value' },
  url: { kind: 'url', prop: 'value' },
  file: { kind: 'file', prop: 'name' },
}

function allowed(type: string, view: View): boolean {
  const id = `${type}--6ba7b810-9dad-41d1-80b4-00c04fd430c8`
  return view.patterns.every((re) => re.test(id)) && !view.notPatterns.some((re) => re.test(id))
}

/** An identifier for a reference property named `name` whose schema is `view`. */
export function referenceId(p: Planter, view: View, name: string, position: string): string {
  const candidates = [...STIX_TYPES, 'x-c4n4ry-object'].filter((t) => allowed(t, view))
  const preferred = (TARGETS[name] ?? []).filter((t) => candidates.includes(t))
  const type = p.d.pick(preferred.length ? preferred : candidates.length ? candidates : ['indicator'])
  const valueId = VALUE_IDS[type]
  if (valueId && p.d.chance(0.4)) return observableId(p, type, position)
  return `${type}--${p.values.uuid(4)}`
}

/** Observable types whose standard id a canary value gives. */
export const VALUE_ID_TYPES = Object.keys(VALUE_IDS)

/** The standard id of an observable of `type` holding a fresh canary value; the id is recorded as a canary. */
export function observableId(p: Planter, type: string, position: string): string {
  const { kind, prop } = VALUE_IDS[type]
  const cv = p.values.of(kind)
  const id = deterministicScoId(type, { [prop]: cv.value })
  p.record({ kind: 'sco-id', value: id, parts: [] }, 'plain', position)
  return id
}

/** Records the id of a generated observable as a canary when it derives from its values (UUIDv5). */
export function recordObservableId(p: Planter, obj: Record<string, unknown>, position: string): void {
  if (typeof obj.id === 'string' && /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-5/.test(obj.id)) {
    p.record({ kind: 'sco-id', value: obj.id, parts: [] }, 'plain', position)
  }
}
