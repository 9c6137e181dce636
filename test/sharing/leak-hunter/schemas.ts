/**
 * The OASIS STIX 2.1 JSON schemas (core/stix/schemas) read as generation instructions: every object type they
 * define, and for any schema node the conjunction of constraints it stands for once `$ref` and `allOf` are
 * followed. The leak hunter generates from this, so a property added to a schema is generated (and gets
 * canaries) without anyone touching the hunter.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { DEFAULT_SCHEMA_DIR } from '../../../core/stix/schema-registry.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

/** A schema node and the `$id` of the file it sits in (relative `$ref`s resolve against it). */
export interface Node {
  n: Json
  base: string
}

/** What a conjunction of schema nodes asks of one value. */
export interface View {
  parts: Node[]
  /** Names of the files / definitions reached through `$ref` (e.g. `identifier`, `hashes-type`, `dictionary`). */
  refs: Set<string>
  types: Set<string>
  enumValues?: unknown[]
  patterns: RegExp[]
  notPatterns: RegExp[]
  format?: string
  props: Map<string, Node[]>
  patternProps: { pattern: string; node: Node }[]
  required: Set<string>
  /** Properties a `not: { required }` (or `not: { anyOf: [{ required }] }`) forbids. */
  forbidden: Set<string>
  alternatives: { kind: 'anyOf' | 'oneOf'; branches: Node[]; owner: Json }[]
  conditionals: { if: Json; then: Json; base: string }[]
  items: Node[]
  minItems: number
  minimum?: number
  maximum?: number
}

const files = new Map<string, Json>()
/** Type name → root node of its schema (the same list the store's validator compiles). */
export const TYPE_SCHEMAS = new Map<string, Node>()

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listJson(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : [],
  )
}

for (const file of listJson(DEFAULT_SCHEMA_DIR)) {
  const root = JSON.parse(readFileSync(file, 'utf8'))
  files.set(root.$id, root)
  const folder = path.basename(path.dirname(file))
  const name = path.basename(file, '.json')
  const typeEnum = root.properties?.type?.enum ?? root.allOf?.flatMap((p: Json) => p.properties?.type?.enum ?? [])
  // A bundle is an envelope, not an object: the store refuses it.
  const definesType =
    ['sdos', 'sros', 'observables'].includes(folder) ||
    (folder === 'common' && name !== 'bundle' && Array.isArray(typeEnum) && typeEnum.includes(name))
  if (definesType) TYPE_SCHEMAS.set(name, { n: root, base: root.$id })
}

/** Every type the schemas define, sorted. */
export const STIX_TYPES: readonly string[] = [...TYPE_SCHEMAS.keys()].sort()

/**
 * Types STIX does not define, as producers invent them: the validator holds an SDO-like one (with
 * created/modified) to the common SDO properties and an SCO-like one to the common SCO properties.
 */
export const CUSTOM_TYPES: readonly string[] = ['x-c4n4ry-report', 'x-c4n4ry-observable']
/** What the hunter generates: every schema type, then the custom ones. */
export const HUNTED_TYPES: readonly string[] = [...STIX_TYPES, ...CUSTOM_TYPES]
for (const [type, file] of [
  ['x-c4n4ry-report', 'core'],
  ['x-c4n4ry-observable', 'cyber-observable-core'],
]) {
  const root = [...files.values()].find((f) => f.$id.endsWith(`/common/${file}.json`))
  TYPE_SCHEMAS.set(type, { n: root, base: root.$id })
}

/** Every property name any schema defines (at any depth): names a producer may reuse where STIX does not. */
export const SCHEMA_PROPERTY_NAMES: readonly string[] = (() => {
  const names = new Set<string>()
  const walk = (n: Json) => {
    if (!n || typeof n !== 'object') return
    if (n.properties && typeof n.properties === 'object' && !Array.isArray(n.properties))
      for (const k of Object.keys(n.properties)) names.add(k)
    for (const v of Object.values(n)) walk(v)
  }
  for (const f of files.values()) walk(f)
  return [...names].filter((k) => /^[a-z][a-z0-9_]{2,249}$/.test(k)).sort()
})()
export const SCO_TYPES: ReadonlySet<string> = new Set(
  [...TYPE_SCHEMAS].filter(([, s]) => s.base.includes('/observables/')).map(([t]) => t),
)
export const SDO_TYPES: ReadonlySet<string> = new Set(
  [...TYPE_SCHEMAS].filter(([, s]) => s.base.includes('/sdos/')).map(([t]) => t),
)

function resolve(ref: string, base: string): { node: Node; name: string } {
  const url = new URL(ref, base)
  const fileId = url.href.split('#')[0]
  const root = files.get(fileId)
  if (!root) throw new Error(`leak hunter: $ref ${ref} from ${base} names no schema`)
  let n = root
  const segments = url.hash ? url.hash.slice(2).split('/').map(decodeURIComponent) : []
  for (const s of segments) n = n[s]
  const name = segments.length ? segments[segments.length - 1] : path.basename(fileId, '.json')
  return { node: { n, base: fileId }, name }
}

/** Follows `$ref` and `allOf` down to the plain nodes of a conjunction. */
export function flatten(
  nodes: Node[],
  refs = new Set<string>(),
  out: Node[] = [],
): { parts: Node[]; refs: Set<string> } {
  for (const node of nodes) {
    const n = node.n
    if (n === true || n === undefined || n === null) continue
    if (typeof n.$ref === 'string') {
      const { node: target, name } = resolve(n.$ref, node.base)
      refs.add(name)
      flatten([target], refs, out)
    }
    out.push(node)
    if (Array.isArray(n.allOf))
      flatten(
        n.allOf.map((c: Json) => ({ n: c, base: node.base })),
        refs,
        out,
      )
  }
  return { parts: out, refs }
}

function requiredOf(n: Json): string[] {
  return Array.isArray(n?.required) ? n.required : []
}

/** The constraints a conjunction of nodes puts on a value; alternatives of `consumed` owners are left out. */
export function viewOf(nodes: Node[], consumed: ReadonlySet<Json> = new Set()): View {
  const { parts, refs } = flatten(nodes)
  const view: View = {
    parts,
    refs,
    types: new Set(),
    patterns: [],
    notPatterns: [],
    props: new Map(),
    patternProps: [],
    required: new Set(),
    forbidden: new Set(),
    alternatives: [],
    conditionals: [],
    items: [],
    minItems: 0,
  }
  for (const { n, base } of parts) {
    if (typeof n.type === 'string') view.types.add(n.type)
    if (Array.isArray(n.enum)) view.enumValues = n.enum
    if ('const' in n) view.enumValues = [n.const]
    if (typeof n.pattern === 'string') view.patterns.push(new RegExp(n.pattern))
    if (typeof n.format === 'string') view.format = n.format
    if (typeof n.minItems === 'number') view.minItems = Math.max(view.minItems, n.minItems)
    if (typeof n.minimum === 'number') view.minimum = n.minimum
    if (typeof n.maximum === 'number') view.maximum = n.maximum
    for (const r of requiredOf(n)) view.required.add(r)
    for (const [k, v] of Object.entries(n.properties ?? {}))
      view.props.set(k, [...(view.props.get(k) ?? []), { n: v, base }])
    for (const [p, v] of Object.entries(n.patternProperties ?? {}))
      view.patternProps.push({ pattern: p, node: { n: v, base } })
    if (n.items && typeof n.items === 'object') view.items.push({ n: n.items, base })
    if (n.not) {
      if (typeof n.not.pattern === 'string') view.notPatterns.push(new RegExp(n.not.pattern))
      for (const r of requiredOf(n.not)) view.forbidden.add(r)
      for (const alt of n.not.anyOf ?? []) for (const r of requiredOf(alt)) view.forbidden.add(r)
    }
    if (n.if && n.then) view.conditionals.push({ if: n.if, then: n.then, base })
    if (consumed.has(n)) continue
    for (const kind of ['anyOf', 'oneOf'] as const) {
      if (Array.isArray(n[kind]))
        view.alternatives.push({ kind, owner: n, branches: n[kind].map((b: Json) => ({ n: b, base })) })
    }
  }
  return view
}

/** Properties a branch requires and forbids (through nested `allOf` and `not`), to choose compatible branches. */
export function branchPresence(branch: Node): { requires: Set<string>; forbids: Set<string> } {
  const v = viewOf([branch])
  return { requires: v.required, forbids: v.forbidden }
}

/** True when the view describes an object (properties, or `type: object`). */
export function isObjectView(v: View): boolean {
  return v.types.has('object') || ((v.props.size > 0 || v.patternProps.length > 0) && v.types.size === 0)
}
