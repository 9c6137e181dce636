/**
 * Generates STIX objects of any type from the OASIS schemas (see schemas.ts) with canaries in every string
 * position: values, dictionary keys, references' free-text fields, extensions, custom properties. Choices go
 * through fast-check (`Draw`), so a failing object shrinks; canary values come from a seeded PRNG.
 */
import { deterministicScoId, ID_CONTRIBUTING_PROPERTIES } from '../../../core/stix/ids.js'
import { Planter } from './planter.js'
import { referenceId, recordObservableId } from './refs.js'
import {
  branchPresence,
  isObjectView,
  SCHEMA_PROPERTY_NAMES,
  SCO_TYPES,
  TYPE_SCHEMAS,
  viewOf,
  type Json,
  type Node,
  type View,
} from './schemas.js'
import { semanticValue, topOverride, customProperties } from './semantics.js'

export interface Ctx {
  p: Planter
  /** The object type whose property this is (semantics depend on it). */
  type: string
  /** Property path inside the object; `{key}` marks a generated dictionary key. */
  path: string[]
  /** The object being generated (overrides read sibling properties). */
  obj: Record<string, unknown>
  depth: number
  /** How positions are named (the type, or where a nested object sits). */
  label: string
}

export const positionOf = (ctx: Ctx) => [ctx.label, ...ctx.path].join('.').replace(/\.\[/g, '[').replace(/\.\{/g, '{')
export const child = (ctx: Ctx, key: string | number) => ({
  ...ctx,
  path: [...ctx.path, typeof key === 'number' ? `[${key}]` : key],
})

const isRefName = (name: string) => name === 'id' || /_refs?$/.test(name)
const lastKey = (ctx: Ctx) => [...ctx.path].reverse().find((k) => !k.startsWith('[')) ?? ''

/** A value for the conjunction of schema nodes `nodes` at `ctx`. */
export function genValue(nodes: Node[], ctx: Ctx, consumed = new Set<Json>()): unknown {
  const view = viewOf(nodes, consumed)
  if (!isObjectView(view) && view.alternatives.length) {
    const alt = view.alternatives[0]
    const strings = alt.branches.filter((b) => viewOf([b]).types.has('string'))
    const branch = strings.length && ctx.p.d.chance(0.6) ? ctx.p.d.pick(strings) : ctx.p.d.pick(alt.branches)
    return genValue([...nodes, branch], ctx, new Set([...consumed, alt.owner]))
  }
  const special = semanticValue(view, ctx)
  if (special !== undefined) return special
  const name = lastKey(ctx)
  if (
    view.refs.has('identifier') ||
    (isRefName(name) && (view.types.has('string') || view.types.size === 0) && !view.items.length)
  ) {
    // Where the schema only asks for a string (observables' refs), producers sometimes write the value itself.
    const bare = !view.refs.has('identifier') && view.patterns.length === 0 && name !== 'id'
    if (bare && ctx.p.d.chance(0.15)) return ctx.p.freeText(positionOf(ctx))
    return referenceId(ctx.p, view, name, positionOf(ctx))
  }
  if (view.enumValues) return ctx.p.d.pick(view.enumValues)
  if (view.types.has('array') || view.items.length) return genArray(view, ctx)
  if (isObjectView(view)) return genObject(view, ctx)
  if (view.types.has('integer')) return ctx.p.d.int(view.minimum ?? 0, Math.min(view.maximum ?? 65535, 65535))
  if (view.types.has('number')) return ctx.p.d.int(view.minimum ?? 0, view.maximum ?? 1000) * 0.5 || 0.5
  if (view.types.has('boolean')) return ctx.p.d.chance(0.5)
  return genString(view, ctx)
}

function genString(view: View, ctx: Ctx): string {
  if (view.patterns.length === 0) return ctx.p.freeText(positionOf(ctx))
  for (let attempt = 0; ; attempt++) {
    const s = ctx.p.d.matching(view.patterns[0])
    const ok = view.patterns.every((re) => re.test(s)) && !view.notPatterns.some((re) => re.test(s))
    if (ok || attempt >= 5) return s
  }
}

function genArray(view: View, ctx: Ctx): unknown[] {
  const n = Math.max(view.minItems, 1) + ctx.p.d.int(0, 2)
  const out: unknown[] = []
  for (let i = 0; i < n; i++) {
    const c = child(ctx, i)
    out.push(view.items.length ? genValue(view.items, c) : ctx.p.freeText(positionOf(c)))
  }
  return out
}

interface Plan {
  props: Map<string, Node[]>
  required: Set<string>
  forbidden: Set<string>
}

/** Chooses a branch of every anyOf/oneOf compatible with what is already required or forbidden. */
function plan(
  view: View,
  d: Planter['d'],
  into: Plan = { props: new Map(), required: new Set(), forbidden: new Set() },
  top = false,
): Plan {
  for (const [k, v] of view.props) into.props.set(k, [...(into.props.get(k) ?? []), ...v])
  for (const r of view.required) into.required.add(r)
  for (const f of view.forbidden) into.forbidden.add(f)
  for (const alt of view.alternatives) {
    const presence = alt.branches.map(branchPresence)
    const fits = alt.branches.filter(
      (_, i) =>
        ![...presence[i].requires].some((r) => into.forbidden.has(r)) &&
        ![...presence[i].forbids].some((f) => into.required.has(f)),
    )
    // At the top, a closed branch (additionalProperties: false) is a fixed standard object, like the TLP 1.0
    // definitions: it can carry no custom property, so no canary; the open ones are chosen.
    const open = top ? fits.filter((b) => viewOf([b]).parts.every((p) => p.n.additionalProperties !== false)) : fits
    const branch = d.pick(open.length ? open : fits.length ? fits : alt.branches)
    plan(viewOf([branch]), d, into)
    if (alt.kind === 'oneOf') {
      alt.branches.forEach((other, i) => {
        if (other === branch || other.n.properties) return
        const missing = [...presence[i].requires].filter((r) => !into.required.has(r))
        if (missing.length) into.forbidden.add(missing[0])
      })
    }
  }
  for (const c of view.conditionals) {
    const ifRequired: string[] = c.if.required ?? []
    const ifNotRequired: string[] = c.if.not?.required ?? []
    const evaluable = c.if.required || (c.if.not && Object.keys(c.if.not).every((k) => k === 'required'))
    const holds = ifRequired.every((r) => into.required.has(r)) && ifNotRequired.every((r) => !into.required.has(r))
    const then = viewOf([{ n: c.then, base: c.base }])
    if (evaluable && holds) plan(then, d, into)
    else if (!evaluable) for (const f of then.forbidden) into.forbidden.add(f)
  }
  return into
}

function genObject(view: View, ctx: Ctx): Record<string, unknown> {
  if (view.refs.has('hashes-type'))
    return semanticValue(view, { ...ctx, path: [...ctx.path] }, 'hashes') as Record<string, unknown>
  const { props, required, forbidden } = plan(view, ctx.p.d)
  const obj: Record<string, unknown> = {}
  for (const [key, nodes] of props) {
    if (forbidden.has(key) && !required.has(key)) continue
    if (!required.has(key) && !ctx.p.d.chance(0.5)) continue
    obj[key] = genValue(nodes, child(ctx, key))
  }
  // Extension names are `<name>-ext` or extension-definition ids. (Other keys there are invalid anyway, and a
  // long lowercase one makes the OASIS `-ext$` pattern backtrack exponentially in the store's validator.)
  const named = (p: string) => /^\^[\w-]+\$$/.test(p) || p.includes('extension-definition--') || p.endsWith('\\-ext$')
  const entries = lastKey(ctx) === 'extensions' ? view.patternProps.filter((e) => named(e.pattern)) : view.patternProps
  if (entries.length && (Object.keys(obj).length === 0 || ctx.p.d.chance(0.3))) {
    for (let n = ctx.p.d.int(1, 2); n > 0; n--) {
      const { pattern, node } = ctx.p.d.pick(entries)
      const key = keyFor(pattern, ctx)
      if (key !== undefined && !(key in obj))
        obj[key] = genValue([node], child(ctx, /^\^[\w-]+\$$/.test(pattern) ? key : '{*}'))
    }
  }
  if (Object.keys(obj).length === 0 && !view.props.size) return customDict(ctx)
  return obj
}

/** A key for a `patternProperties` entry: literal names as is, dictionary keys sometimes a (hash) canary. */
function keyFor(pattern: string, ctx: Ctx): string | undefined {
  const literal = /^\^([\w-]+)\$$/.exec(pattern)
  if (literal) return literal[1]
  if (pattern.includes('extension-definition--')) return `extension-definition--${ctx.p.values.uuid(4)}`
  if (pattern.endsWith('\\-ext$')) return `${ctx.p.values.word()}-ext`
  if (pattern.endsWith('_bin$') || pattern.endsWith('_hex$')) return undefined
  if (pattern.startsWith('^([a-z][a-z0-9_]{2,249})'))
    return ctx.p.d.pick(['analyst_notes', 'targets', 'contact_person', 'rule_text'])
  if (pattern === '^.*$') return String(ctx.p.d.int(0, 3))
  const re = new RegExp(pattern)
  if (re.test('comment') && ctx.p.d.chance(0.5))
    return ctx.p.canary('hash', `${positionOf(ctx)}{key}`, ['plain', 'upper'])
  const words = ['comment', 'X-Mailer', 'HostName', 'Make', 'Model'].filter((k) => re.test(k))
  if (words.length) return ctx.p.d.pick(words)
  // Short keys only: long lowercase keys make the OASIS `-ext$` key pattern backtrack for seconds.
  for (let attempt = 0; attempt < 5; attempt++) {
    const key = ctx.p.d.matching(re)
    if (key.length <= 12) return key
  }
  return undefined
}

/** A free-form object (custom property values, dictionary values): canary keys, canary values, nesting. */
export function customDict(ctx: Ctx, person = false): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let n = ctx.p.d.int(1, 3); n > 0; n--) {
    const keyPosition = `${positionOf(ctx)}{key}`
    // Keys: canaries, STIX property names (`value`, `type`, `pattern`… mean nothing here), plain words.
    const choice = ctx.p.d.int(0, 9)
    const key =
      choice < 6
        ? person
          ? ctx.p.personText(keyPosition)
          : ctx.p.freeText(keyPosition)
        : choice < 8
          ? ctx.p.d.pick(SCHEMA_PROPERTY_NAMES)
          : ctx.p.values.word()
    if (key in out) continue
    out[key] = customValue(child(ctx, '{*}'), person)
  }
  return out
}

export function customValue(ctx: Ctx, person = false): unknown {
  const text = () => (person ? ctx.p.personText(positionOf(ctx)) : ctx.p.freeText(positionOf(ctx)))
  switch (ctx.depth < 2 ? ctx.p.d.int(0, 3) : 0) {
    case 1:
      return Array.from({ length: ctx.p.d.int(1, 3) }, text)
    case 2:
      return customDict({ ...ctx, depth: ctx.depth + 1 }, person)
    case 3:
      return ctx.p.d.pick([42, true, 3.5])
    default:
      return text()
  }
}

/** One object of `type`, built from its schema plus custom properties and an extension. */
export function genTopObject(type: string, p: Planter, label = type): Record<string, unknown> {
  const schema = TYPE_SCHEMAS.get(type)
  if (!schema) throw new Error(`leak hunter: no schema for ${type}`)
  const obj: Record<string, unknown> = {}
  const ctx: Ctx = { p, type, path: [], obj, depth: 0, label }
  const { props, required, forbidden } = plan(viewOf([schema]), p.d, undefined, true)
  for (const [key, nodes] of props) {
    if (forbidden.has(key) && !required.has(key)) continue
    const override = topOverride(type, key)
    if (key in obj) continue
    if (!override && !required.has(key) && !p.d.chance(0.6)) continue
    let value = override ? override(child(ctx, key), nodes) : genValue(nodes, child(ctx, key))
    // An override never breaks an enumeration of the branch chosen (the TLP definitions' ids, say).
    const enumerated = override && viewOf(nodes).enumValues
    if (enumerated && !enumerated.includes(value)) value = p.d.pick(enumerated)
    if (value !== undefined) obj[key] = value
  }
  customProperties(ctx)
  if (SCO_TYPES.has(type)) {
    const contributing = (ID_CONTRIBUTING_PROPERTIES[type] ?? []).some((k) => obj[k] !== undefined)
    obj.id = contributing ? deterministicScoId(type, obj) : `${type}--${p.values.uuid(4)}`
    recordObservableId(p, obj, positionOf(child(ctx, 'id')))
  }
  return obj
}
