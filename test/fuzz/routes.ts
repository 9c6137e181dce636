import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { Schema, ValuePools } from './schema-values.js'
import { encodeCursor } from '../../core/infra/cursor.js'

export interface Parameter {
  name: string
  schema: Schema
  required: boolean
}

/** One operation of the OpenAPI document. */
export interface RouteSpec {
  method: string
  /** OpenAPI template, `{id}` for parameters. */
  path: string
  params: Parameter[]
  query: Parameter[]
  body?: Schema
  /** TAXII answers its own error format; everything else the API's. */
  taxii: boolean
  /** The document names a security scheme: only a principal gets a 2xx. */
  secured: boolean
}

interface Operation {
  parameters?: { in: string; name: string; schema: Schema; required?: boolean }[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  security?: unknown[]
}

/** The envelope TAXII's POST objects takes (its parser is TAXII's own, so OpenAPI does not show a body). */
const TAXII_ENVELOPE: Schema = {
  type: 'object',
  required: ['objects'],
  properties: { objects: { type: 'array', items: { type: 'object' } } },
}

/** Every operation `/docs/json` documents, in document order. The admin console's routes are out of scope. */
export async function documentedRoutes(app: FastifyInstance, headers: Record<string, string>): Promise<RouteSpec[]> {
  const res = await app.inject({ url: '/docs/json', headers })
  if (res.statusCode !== 200) throw new Error(`/docs/json: ${res.statusCode} ${res.body}`)
  const doc = res.json() as { paths: Record<string, Record<string, Operation>> }
  const routes: RouteSpec[] = []
  for (const [path, operations] of Object.entries(doc.paths)) {
    if (path.startsWith('/admin') || path.startsWith('/docs')) continue
    for (const [method, op] of Object.entries(operations)) {
      const params = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => ({ name: p.name, schema: p.schema, required: true }))
      const query = (op.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => ({ name: p.name, schema: p.schema, required: !!p.required }))
      const taxii = path.startsWith('/taxii2/')
      const body =
        op.requestBody?.content?.['application/json']?.schema ??
        (taxii && method === 'post' ? TAXII_ENVELOPE : undefined)
      routes.push({ method: method.toUpperCase(), path, params, query, body, taxii, secured: !!op.security?.length })
    }
  }
  return routes
}

/** The TAXII 2.1 endpoints (§4–5) the suite must reach, documented or not. */
export const TAXII_ROUTES = [
  'GET /taxii2/',
  'GET /taxii2/api/',
  'GET /taxii2/api/collections/',
  'GET /taxii2/api/collections/{collectionId}/',
  'GET /taxii2/api/collections/{collectionId}/objects/',
  'POST /taxii2/api/collections/{collectionId}/objects/',
  'GET /taxii2/api/collections/{collectionId}/objects/{objectId}/',
  'DELETE /taxii2/api/collections/{collectionId}/objects/{objectId}/',
  'GET /taxii2/api/collections/{collectionId}/objects/{objectId}/versions/',
  'GET /taxii2/api/collections/{collectionId}/manifest/',
  'GET /taxii2/api/status/{statusId}/',
]

/** Which rows a path parameter names, by the path segment before it (or the parameter's own name). */
const ID_QUERIES: Record<string, string> = {
  collections: 'SELECT id::text AS id FROM collections ORDER BY created_at',
  collectionId: 'SELECT id::text AS id FROM collections ORDER BY created_at',
  objects: 'SELECT DISTINCT stix_id AS id FROM stix_objects',
  objectId: 'SELECT DISTINCT stix_id AS id FROM stix_objects',
  feeds: 'SELECT id::text AS id FROM feeds',
  'api-keys': 'SELECT id::text AS id FROM api_keys',
  organizations: 'SELECT id::text AS id FROM organizations ORDER BY created_at',
  users: 'SELECT id::text AS id FROM users',
  'trust-levels': 'SELECT id::text AS id FROM trust_levels',
  'trust-relationships': 'SELECT id::text AS id FROM trust_relationships',
  jobs: 'SELECT id::text AS id FROM export_jobs',
  events: 'SELECT id::text AS id FROM security_events',
  alerts: 'SELECT id::text AS id FROM alerts',
  statusId: 'SELECT id::text AS id FROM taxii_statuses',
}

/** The pool name of a path parameter: `/collections/{id}` → `collections`, `{collectionId}` → `collectionId`. */
export function poolName(route: RouteSpec, param: string): string {
  if (ID_QUERIES[param] || param === 'format') return param
  const segments = route.path.split('/')
  const at = segments.indexOf(`{${param}}`)
  return segments[at - 1] ?? param
}

export interface IdPools extends ValuePools {
  byName: Record<string, string[]>
}

/** Ids of the rows that exist now (re-read as requests create and delete rows). */
export async function loadIdPools(knex: Knex, formats: string[]): Promise<IdPools> {
  const byName: Record<string, string[]> = { format: formats }
  for (const [name, sql] of Object.entries(ID_QUERIES))
    byName[name] = ((await knex.raw(`${sql} LIMIT 50`)).rows as { id: string }[]).map((r) => r.id)
  const uuids = [
    ...new Set(
      Object.entries(byName)
        .filter(([n]) => !n.startsWith('object') && n !== 'format')
        .flatMap(([, ids]) => ids),
    ),
  ]
  return {
    byName,
    uuids,
    stixIds: byName.objects,
    formats,
    cursors: forgedCursors(byName.organizations.slice(0, 3), byName.collections.slice(0, 3)),
  }
}

/** The export formats the app serves, as its answer to an unknown one lists them. */
export async function exportFormats(app: FastifyInstance, headers: Record<string, string>): Promise<string[]> {
  const res = await app.inject({ url: '/api/v1/exports/no-such-format', headers })
  return (res.json() as { error?: { details?: { available?: string[] } } }).error?.details?.available ?? []
}

/** REST (bound to an organization) and TAXII (to a collection and an organization) cursors naming real rows, at positions no page ever ends on. */
function forgedCursors(orgIds: string[], collectionIds: string[]): string[] {
  const seqs = ['0', '9223372036854775807', '9999999999999999999', '-1', '1e3', '']
  const dates = [
    '2024-01-01T00:00:00.000000Z',
    '9999-12-31T23:59:59.999999Z',
    '0000-00-00T00:00:00.000000Z',
    '2024-13-45T25:61:61.000000Z',
  ]
  const out: string[] = []
  for (const o of orgIds) {
    for (const seq of seqs) out.push(encodeCursor([seq], o))
    for (const c of collectionIds)
      for (const [i, d] of dates.entries()) out.push(encodeCursor([d, seqs[i % seqs.length]], `${c}/${o}`))
  }
  return out.length ? out : ['x']
}
