/**
 * What the schemas cannot say: which string holds an address, a person's name, a pattern; timestamps that
 * must be ordered; markings that let the object be shared; custom properties and extensions. Everything not
 * named here is generated from the schema alone (free text with canaries where it is a plain string).
 */
import { TLP_MARKING_IDS } from '../../../core/stix/tlp.js'
import type { Spelling } from './canaries.js'
import { child, customDict, customValue, genTopObject, positionOf, type Ctx } from './generate.js'
import { foreignPattern, PATTERN_TYPES, stixPattern } from './patterns.js'
import { CUSTOM_TYPES, SCHEMA_PROPERTY_NAMES, TYPE_SCHEMAS, viewOf, type Node, type View } from './schemas.js'

const STRUCTURED: readonly Spelling[] = ['plain', 'upper']
const keysOf = (ctx: Ctx) => ctx.path.filter((k) => !k.startsWith('[')).join('.')

type Gen = (ctx: Ctx) => unknown
const person: Gen = (ctx) => ctx.p.canary('person', positionOf(ctx))
const author: Gen = (ctx) => ctx.p.personText(positionOf(ctx))
const fileName: Gen = (ctx) =>
  ctx.p.plant({ kind: 'file', value: ctx.p.values.fileName(), parts: [] }, positionOf(ctx), [
    'plain',
    'upper',
    'percent',
  ])
const path: Gen = (ctx) =>
  ctx.p.plant({ kind: 'file', value: ctx.p.values.path(), parts: [] }, positionOf(ctx), STRUCTURED)
const login: Gen = (ctx) =>
  ctx.p.d.chance(0.5) ? ctx.p.canary('email', positionOf(ctx), STRUCTURED) : ctx.p.freeText(positionOf(ctx))

/** Positions whose meaning the strategy must know: (type, property path) → generator. */
const SEMANTIC: Readonly<Record<string, Readonly<Record<string, Gen>>>> = {
  'ipv4-addr': { value: (ctx) => ctx.p.canary('ipv4', positionOf(ctx), ['plain']) },
  'ipv6-addr': { value: (ctx) => ctx.p.canary('ipv6', positionOf(ctx), STRUCTURED) },
  'domain-name': { value: (ctx) => ctx.p.canary('domain', positionOf(ctx), STRUCTURED) },
  'email-addr': { value: (ctx) => ctx.p.canary('email', positionOf(ctx), STRUCTURED), display_name: person },
  url: { value: (ctx) => ctx.p.canary('url', positionOf(ctx), STRUCTURED) },
  file: { name: fileName, 'extensions.ntfs-ext.alternate_data_streams.name': fileName },
  directory: { path },
  process: { cwd: path },
  'user-account': { display_name: person, account_login: login, user_id: login },
  // Values their standard id derives from, drawn from the canary PRNG so that two objects never share an id.
  'autonomous-system': { number: (ctx) => ctx.p.values.int(1, 4_000_000_000) },
  'mac-addr': { value: (ctx) => ctx.p.values.hex(6).replace(/(..)(?!$)/g, '$1:') },
  identity: { contact_information: (ctx) => ctx.p.contactText(positionOf(ctx)) },
  // Certificates of people (S/MIME, client certificates) name them in the subject.
  'x509-certificate': { subject: (ctx) => distinguishedName(ctx), issuer: (ctx) => distinguishedName(ctx) },
  'email-message': { additional_header_fields: (ctx) => headerFields(ctx) },
  note: { authors: author },
  opinion: { authors: author },
}

function distinguishedName(ctx: Ctx): string {
  const pos = positionOf(ctx)
  return `CN=${ctx.p.canary('person', pos)}, O=${ctx.p.freeText(pos).replaceAll(',', ' ')}, emailAddress=${ctx.p.canary('email', pos)}`
}

function headerFields(ctx: Ctx): Record<string, unknown> {
  const at = (name: string) => positionOf(child(ctx, name))
  const out: Record<string, unknown> = { 'Reply-To': ctx.p.personText(at('Reply-To')) }
  if (ctx.p.d.chance(0.5)) out['X-Originating-IP'] = `[${ctx.p.canary('ipv4', at('X-Originating-IP'), ['plain'])}]`
  if (ctx.p.d.chance(0.5)) out['X-Mailer'] = ctx.p.freeText(at('X-Mailer'))
  if (ctx.p.d.chance(0.5)) out.Received = [ctx.p.freeText(at('Received')), ctx.p.freeText(at('Received'))]
  return out
}

const HASH_LENGTHS: Readonly<Record<string, 32 | 40 | 64 | 128>> = {
  MD5: 32,
  'SHA-1': 40,
  'SHA-256': 64,
  'SHA-512': 128,
  'SHA3-256': 64,
  'SHA3-512': 128,
}
const HASH_ALGORITHMS = ['SHA-256', 'MD5', 'SHA-1', 'SHA-512', 'SHA3-256', 'SHA3-512', 'SSDEEP', 'TLSH']

function hashes(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {}
  for (let n = ctx.p.d.int(1, 3); n > 0; n--) {
    const algorithm = ctx.p.d.pick(HASH_ALGORITHMS)
    if (algorithm in out) continue
    const c = child(ctx, algorithm)
    const length = HASH_LENGTHS[algorithm]
    const value = length
      ? ctx.p.values.hash(length)
      : algorithm === 'SSDEEP'
        ? ctx.p.values.ssdeep()
        : ctx.p.values.tlsh()
    out[algorithm] = ctx.p.plant({ kind: 'hash', value, parts: [] }, positionOf(c), length ? STRUCTURED : ['plain'])
  }
  return out
}

const T0 = Date.UTC(2021, 0, 1)
function timestamp(ctx: Ctx, view?: View, after = T0): string {
  const iso = new Date(after + ctx.p.d.int(0, 3 * 365 * 24 * 3600) * 1000 + ctx.p.d.int(0, 999)).toISOString()
  return view && !view.patterns.every((re) => re.test(iso)) ? iso.replace(/\.\d{3}Z$/, 'Z') : iso
}

/** A value for positions with a known meaning, or undefined to let the schema decide. */
export function semanticValue(view: View, ctx: Ctx, forced?: 'hashes'): unknown {
  if (forced === 'hashes' || view.refs.has('hashes-type')) return hashes(ctx)
  // Meanings name the strings: a list (of authors, say) is generated item by item.
  if (view.types.has('array') || view.items.length) return undefined
  const known = SEMANTIC[ctx.type]?.[keysOf(ctx)]
  if (known) return known(ctx)
  if (view.refs.has('url-regex') || view.format === 'uri') return ctx.p.canary('url', positionOf(ctx), STRUCTURED)
  if (view.format === 'email') return ctx.p.canary('email', positionOf(ctx), STRUCTURED)
  if (view.format === 'idn-hostname') return ctx.p.canary('domain', positionOf(ctx), STRUCTURED)
  if (view.refs.has('timestamp')) return timestamp(ctx, view)
  if (view.refs.has('hex')) return ctx.p.values.hex(ctx.p.d.int(1, 8))
  if (view.refs.has('binary')) return Buffer.from(ctx.p.values.hex(ctx.p.d.int(3, 24)), 'hex').toString('base64')
  return undefined
}

const IDENTITY_CLASSES = [
  'individual',
  'organization',
  'group',
  'system',
  'class',
  'unknown',
  'Individual',
  'INDIVIDUAL',
]
const SHAREABLE = [TLP_MARKING_IDS.green, TLP_MARKING_IDS.clear]
const OBSERVABLE_OBJECTS = ['ipv4-addr', 'domain-name', 'email-addr', 'url', 'file', 'ipv6-addr']

type Override = (ctx: Ctx, nodes: Node[]) => unknown
const ANY: Readonly<Record<string, Override>> = {
  type: (ctx) => ctx.type,
  spec_version: () => '2.1',
  id: (ctx) => `${ctx.type}--${ctx.p.values.uuid(4)}`,
  created: (ctx) => timestamp(ctx),
  modified: (ctx) =>
    timestamp(ctx, undefined, Date.parse((ctx.obj.created as string | undefined) ?? new Date(T0).toISOString())),
  // Shareable with every partner (TLP:GREEN / CLEAR): what is tested is anonymization, not the TLP rules.
  object_marking_refs: (ctx) => [
    ctx.p.d.pick(SHAREABLE),
    ...(ctx.p.d.chance(0.2) ? [`marking-definition--${ctx.p.values.uuid(4)}`] : []),
  ],
}
const BY_TYPE: Readonly<Record<string, Readonly<Record<string, Override>>>> = {
  indicator: {
    pattern: (ctx) => {
      const type = (ctx.obj.pattern_type ??= ctx.p.d.pick(PATTERN_TYPES)) as string
      return type === 'stix' ? stixPattern(ctx.p, positionOf(ctx)) : foreignPattern(ctx.p, type, positionOf(ctx))
    },
    pattern_type: (ctx) => (ctx.obj.pattern_type ??= ctx.p.d.pick(PATTERN_TYPES)),
  },
  identity: {
    // identity_class is optional (and open vocabulary): an individual is not always labelled as one.
    name: (ctx) => {
      const cls = (ctx.obj.identity_class ??= ctx.p.d.pick([...IDENTITY_CLASSES, null]))
      return cls === null || /^individual$/i.test(String(cls)) ? person(ctx) : ctx.p.freeText(positionOf(ctx))
    },
    identity_class: (ctx) => {
      const cls = (ctx.obj.identity_class ??= ctx.p.d.pick([...IDENTITY_CLASSES, null]))
      return cls ?? undefined
    },
  },
  'observed-data': {
    // The deprecated form: observables embedded, with their own values and ids.
    objects: (ctx) => ({ 0: genTopObject(ctx.p.d.pick(OBSERVABLE_OBJECTS), ctx.p, `${ctx.type}.objects{0}`) }),
  },
  // A producer's own marking definition under a predefined TLP id: its content is the producer's.
  'marking-definition': {
    id: (ctx) =>
      ctx.p.d.chance(0.25) ? ctx.p.d.pick(Object.values(TLP_MARKING_IDS)) : `${ctx.type}--${ctx.p.values.uuid(4)}`,
  },
  // Names of top-level properties added by toplevel extensions: only valid with such an extension type.
  'extension-definition': { extension_properties: () => undefined },
}

/** The generator of (type, property) when it is not left to the schema. */
export function topOverride(type: string, key: string): Override | undefined {
  return BY_TYPE[type]?.[key] ?? ANY[key]
}

/** Custom properties: names where a person is expected hold names and addresses (in values and keys). */
const CUSTOM_NAMES = ['x_notes', 'x_target', 'x_contact', 'x_raw_event', 'x_reported_by', 'x_victim', 'x_analyst']
const PERSON_CUSTOM = new Set(['x_contact', 'x_reported_by', 'x_analyst'])
const EXTENSION_PROPERTIES = ['analyst_notes', 'targets', 'contact_person', 'rule_text']

const owned = new Map<string, ReadonlySet<string>>()
/** Every property name a type's schema defines at its top, in any branch of its anyOf/oneOf. */
function ownPropertyNames(type: string): ReadonlySet<string> {
  let names = owned.get(type)
  if (!names) {
    const found = new Set<string>()
    const visit = (view: View) => {
      for (const k of view.props.keys()) found.add(k)
      for (const alt of view.alternatives) for (const b of alt.branches) visit(viewOf([b]))
    }
    visit(viewOf([TYPE_SCHEMAS.get(type) as Node]))
    owned.set(type, (names = found))
  }
  return names
}

/** Names the core schemas forbid at the top (`not: required`) or that every object has its own meaning for. */
const NOT_BORROWED = new Set([
  'severity',
  'action',
  'username',
  'phone_numbers',
  'type',
  'id',
  'spec_version',
  'created',
  'modified',
  'extensions',
])

/**
 * Properties named like STIX properties of other types (a `relationship_type`, `pattern_type`, `value` or
 * `source_ref` where STIX defines none): the strategy decides by property name, so a name it keeps must not
 * carry a producer's text out.
 */
function borrowedProperties(ctx: Ctx, into: Record<string, unknown>, own: ReadonlySet<string>): void {
  for (let n = ctx.p.d.int(1, 3); n > 0; n--) {
    const name = ctx.p.d.pick(SCHEMA_PROPERTY_NAMES)
    if (own.has(name) || NOT_BORROWED.has(name) || name in into) continue
    const c = { ...child(ctx, name), depth: 0 }
    into[name] = ctx.p.d.chance(0.6) ? ctx.p.freeText(positionOf(c)) : customValue(c)
  }
}

/**
 * Adds custom `x_` properties, properties borrowing STIX names, and a property extension
 * (extension-definition) with canaries everywhere.
 */
export function customProperties(ctx: Ctx): void {
  const { p, obj } = ctx
  const own = ownPropertyNames(ctx.type)
  if (CUSTOM_TYPES.includes(ctx.type) || p.d.chance(0.4)) borrowedProperties(ctx, obj, own)
  if (p.d.chance(0.7)) {
    for (let n = p.d.int(1, 3); n > 0; n--) {
      const name = p.d.pick(CUSTOM_NAMES)
      if (name in obj) continue
      const c = { ...child(ctx, name), depth: 0 }
      const isPerson = PERSON_CUSTOM.has(name)
      obj[name] =
        isPerson && p.d.chance(0.5) ? p.personText(positionOf(c)) : isPerson ? customDict(c, true) : customValue(c)
    }
  }
  if (p.d.chance(0.5)) {
    const id = `extension-definition--${p.values.uuid(4)}`
    const ext: Record<string, unknown> = { extension_type: 'property-extension' }
    for (let n = p.d.int(1, 2); n > 0; n--) {
      const name = p.d.pick(EXTENSION_PROPERTIES)
      if (name in ext) continue
      ext[name] = customValue(
        { ...child(child(ctx, 'extensions'), `{ext}.${name}`), depth: 0 },
        name === 'contact_person',
      )
    }
    if (p.d.chance(0.4))
      borrowedProperties(
        { ...child(ctx, 'extensions'), path: [...ctx.path, 'extensions', '{ext}'] },
        ext,
        new Set(['extension_type']),
      )
    obj.extensions = { ...((obj.extensions as Record<string, unknown>) ?? {}), [id]: ext }
  }
}
