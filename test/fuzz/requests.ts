import fc from 'fast-check'
import { indicator, TAXII } from '../taxii/fixtures.js'
import {
  ACCEPTS,
  CONTENT_TYPES,
  HOSTILE_QUERY,
  HOSTILE_SEGMENTS,
  HOSTILE_VALUES,
  rawBodies,
  serialize,
  Raw,
} from './hostile.js'
import { poolName, type IdPools, type RouteSpec } from './routes.js'
import { hinted, valueArb, type Schema } from './schema-values.js'
import { ROLES, type Role } from './seed.js'

/** One generated request, before credentials are added (they may be renewed during a run). */
export interface FuzzRequest {
  role: Role
  /** TAXII over HTTP Basic instead of a bearer token. */
  basic: boolean
  /** A hostile Authorization header (an index into `hostileAuthorization`) instead of the role's. */
  hostileAuth: number | null
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
  /** How many identical copies are sent at once (a race), usually 1. */
  copies: number
  /** How the body was made: `valid`, `hostile value at objects.0.name`, `raw`… */
  mutation: string
}

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) becomes U+FFFD, as a client would send it. */
const enc = (s: string) =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'))

/** Every path inside a JSON value (for replacing or dropping one), the root included as []. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at)
  if (value && typeof value === 'object' && !(value instanceof Raw) && at.length < 6) {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, Array.isArray(value) ? Number(k) : k], out)
  }
  return out
}

function replaceAt(root: unknown, at: (string | number)[], replacement: unknown, drop = false): unknown {
  if (!at.length) return replacement
  const copy = structuredClone(root) as Record<string | number, unknown>
  let node = copy
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = at[at.length - 1]
  if (drop) delete node[last]
  else node[last] = replacement
  return copy
}

/** Valid-looking STIX content for bundle and envelope bodies, so that stores are reached. */
const stixObjectArb = fc
  .record({ name: fc.string({ maxLength: 30 }), labels: fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }) })
  .map((o) => indicator(o))

function validBodyArb(route: RouteSpec, pools: IdPools): fc.Arbitrary<unknown> {
  if (route.taxii) return fc.array(stixObjectArb, { minLength: 1, maxLength: 3 }).map((objects) => ({ objects }))
  if (route.path.endsWith('/bundles'))
    return fc
      .tuple(fc.uuid(), fc.array(stixObjectArb, { minLength: 1, maxLength: 3 }))
      .map(([id, objects]) => ({ type: 'bundle', id: `bundle--${id}`, objects }))
  return valueArb(route.body, pools)
}

/** A body: valid, one value made hostile, one dropped or added, the wrong type, or raw bytes that are not (good) JSON. */
function bodyArb(route: RouteSpec, pools: IdPools): fc.Arbitrary<{ payload: string | Buffer; mutation: string }> {
  const valid = validBodyArb(route, pools)
  const hostile = fc.constantFrom(...HOSTILE_VALUES)
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((v) => ({ payload: serialize(v), mutation: 'valid' })) },
    {
      weight: 5,
      arbitrary: fc.tuple(valid, fc.nat(), hostile).map(([v, i, h]) => {
        const all = paths(v)
        const at = all[i % all.length]
        return { payload: serialize(replaceAt(v, at, h)), mutation: `hostile value at /${at.join('/')}` }
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, i]) => {
        const all = paths(v).slice(1)
        const at = all.length ? all[i % all.length] : []
        return {
          payload: serialize(at.length ? replaceAt(v, at, undefined, true) : v),
          mutation: `dropped /${at.join('/')}`,
        }
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.string({ maxLength: 12 }), hostile).map(([v, k, h]) => ({
        payload: serialize(v && typeof v === 'object' && !Array.isArray(v) ? { ...v, [k]: h } : v),
        mutation: `extra property ${JSON.stringify(k)}`,
      })),
    },
    { weight: 1, arbitrary: hostile.map((h) => ({ payload: serialize(h), mutation: 'hostile body' })) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, i]) => {
        const all = rawBodies(serialize(v))
        return { payload: all[i % all.length], mutation: `raw body #${i % all.length}` }
      }),
    },
  )
}

/** A path segment: a real id of the right kind or a schema-derived value (`valid`), else a hostile one. */
function segmentArb(route: RouteSpec, name: string, schema: Schema, pools: IdPools, protectedIds: Set<string>) {
  const real = (pools.byName[poolName(route, name)] ?? []).filter(
    (id) => route.method === 'GET' || !protectedIds.has(id),
  )
  const fromSchema = valueArb(schema, pools).map((v) => enc(String(v)))
  const valid = real.length
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...real).map(enc) }, { weight: 1, arbitrary: fromSchema })
    : fromSchema
  return fc.record({ valid, hostile: fc.constantFrom(...HOSTILE_SEGMENTS) })
}

/** A query string: some of the declared parameters with schema values (`valid`), else hostile values, repeats and odd keys. */
function queryArb(route: RouteSpec, pools: IdPools) {
  const hostileText = fc.constantFrom(
    ...HOSTILE_VALUES.filter((v): v is string => typeof v === 'string' && v.length < 100_000),
  )
  const validParam = (p: RouteSpec['query'][number]) =>
    fc.option(
      valueArb(hinted(p.name, p.schema, pools), pools).map((v) =>
        (Array.isArray(v) ? v : [v])
          .map((x) => `${enc(p.name)}=${enc(typeof x === 'string' ? x : JSON.stringify(x))}`)
          .join('&'),
      ),
      { freq: 2, nil: '' },
    )
  const hostileParam = (p: RouteSpec['query'][number]) =>
    fc.oneof(
      { weight: 3, arbitrary: hostileText.map((v) => `${enc(p.name)}=${enc(v)}`) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(hostileText, hostileText)
          .map(([a, b]) => `${enc(p.name)}=${enc(a)}&${enc(p.name)}=${enc(b)}`),
      },
    )
  const join = (parts: string[]) => parts.filter(Boolean).join('&')
  const valid = fc.tuple(...route.query.map(validParam)).map(join)
  const oneHostile = route.query.length
    ? fc
        .tuple(valid, fc.nat(route.query.length - 1))
        .chain(([v, i]) => hostileParam(route.query[i]).map((h) => join([v, h])))
    : fc.constant('')
  const hostile = fc.oneof(
    oneHostile,
    fc.tuple(valid, fc.constantFrom(...HOSTILE_QUERY)).map(([v, h]) => join([v, h])),
  )
  return fc.record({ valid, hostile })
}

/** What a request makes hostile: nothing, or one part of it, or all of them at once. */
const PLANS = ['valid', 'path', 'query', 'body', 'content-type', 'accept', 'method', 'auth', 'race', 'all'] as const
type Plan = (typeof PLANS)[number]

/** Requests for one route, as any role: schema-derived, then mutated in the ways `hostile.ts` lists. */
export function requestArb(route: RouteSpec, pools: IdPools, protectedIds: Set<string>): fc.Arbitrary<FuzzRequest> {
  const names = route.params.map((p) => p.name)
  const takesBody = !!route.body || ['POST', 'PATCH', 'PUT'].includes(route.method)
  const naturalType = route.taxii ? TAXII : 'application/json'
  const validBody = takesBody
    ? validBodyArb(route, pools).map((v) => ({ payload: serialize(v) as string | Buffer, mutation: 'valid' }))
    : fc.constant(null)
  const plan: fc.Arbitrary<Plan> = fc.oneof(
    { weight: 4, arbitrary: fc.constant('valid' as Plan) },
    { weight: 2, arbitrary: fc.constant('body' as Plan) },
    { weight: 6, arbitrary: fc.constantFrom(...PLANS) },
  )
  return fc
    .record({
      plan,
      role: fc.constantFrom(...ROLES),
      basic: fc.boolean().map((b) => b && route.taxii),
      method: fc.constantFrom('HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE', 'GET'),
      segments: fc.tuple(...route.params.map((p) => segmentArb(route, p.name, p.schema, pools, protectedIds))),
      hostileSegment: fc.nat(),
      hostileAuth: fc.nat(),
      query: queryArb(route, pools),
      body: fc.record({ valid: validBody, hostile: bodyArb(route, pools) }),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      accept: fc.constantFrom(...ACCEPTS),
    })
    .map((r): FuzzRequest => {
      const hostile = (part: Plan) => r.plan === part || r.plan === 'all'
      let path = route.path
      const bad = hostile('path') ? r.hostileSegment % Math.max(1, names.length) : -1
      names.forEach(
        (n, i) =>
          (path = path.replace(`{${n}}`, i === bad || r.plan === 'all' ? r.segments[i].hostile : r.segments[i].valid)),
      )
      const query = hostile('query') ? r.query.hostile : r.query.valid
      const body = hostile('body') ? r.body.hostile : r.body.valid
      const headers: Record<string, string> = {}
      const accept = hostile('accept') ? r.accept : route.taxii ? TAXII : undefined
      if (accept !== undefined) headers.accept = accept
      const contentType = hostile('content-type') ? r.contentType : naturalType
      if (body && contentType !== undefined) headers['content-type'] = contentType
      return {
        copies: r.plan === 'race' ? 4 : 1,
        role: r.role,
        basic: r.basic,
        hostileAuth: hostile('auth') ? r.hostileAuth : null,
        method: hostile('method') ? r.method : route.method,
        url: query ? `${path}?${query}` : path,
        headers,
        payload: body?.payload,
        mutation: `${r.plan}; body ${body?.mutation ?? 'none'}`,
      }
    })
}
