import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { requirePermission } from '../../../auth/authenticate.js'
import { encodeCursor } from '../../../infra/cursor.js'
import { badRequest, notFound } from '../../../infra/errors.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, readCursor } from '../../../infra/paging.js'
import { isUuid } from '../../../infra/uuid.js'
import type { StixObject } from '../../../plugin-api/index.js'
import { readSharedPage, type SharedObjectFilter, type SharedPage } from '../../../sharing/index.js'
import { isStixIdentifier } from '../../../stix/ids.js'
import { isStixTimestamp } from '../../../stix/timestamps.js'
import { actorOf, errorResponses, listQuery, pageOf, security } from './schemas.js'

const Item = Type.Object({
  collectionId: Type.String(),
  dateAdded: Type.String(),
  version: Type.String(),
  object: Type.Object({}, { additionalProperties: true, description: 'The STIX object as this caller may see it' }),
})
const Page = pageOf(Item)
const csv = (description: string) =>
  Type.Optional(Type.String({ description: `${description} (comma-separated, ORed)` }))
const stamp = (description: string) => Type.Optional(Type.String({ description }))
const ListQuery = listQuery({
  type: csv('STIX types'),
  id: csv('STIX ids'),
  collection: csv('Collection ids'),
  labels: csv('Labels (any of)'),
  producer: csv('Producer organization ids: objects of the collections these organizations own'),
  shared_with_me: Type.Optional(
    Type.Boolean({
      description: "true: only what other organizations shared with the caller's (collections it does not own)",
    }),
  ),
  created_after: stamp('created ≥ this RFC 3339 time'),
  created_before: stamp('created ≤ this time'),
  modified_after: stamp('modified ≥ this time'),
  modified_before: stamp('modified ≤ this time'),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text in name or description' })),
})
type ListQuery = typeof ListQuery.static
const StixIdParams = Type.Object({ id: Type.String({ description: 'STIX id' }) })

const split = (v?: string) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
function timestamp(name: string, v?: string): string | undefined {
  if (v !== undefined && !isStixTimestamp(v))
    throw badRequest('CRISP_VALIDATION_FAILED', `${name}: must be an RFC 3339 UTC timestamp`)
  return v
}

/** Opaque cursor: the last scanned membership, bound to the organization it was issued to. */
function decodeCursor(req: FastifyRequest, cursor?: string): string | undefined {
  return cursor ? readCursor(cursor, { keys: ['bigint'], scope: actorOf(req).orgId })[0] : undefined
}

/** Released objects come parsed, or as the stored text when the reader's own organization owns them. */
const stixObject = (o: SharedPage['objects'][number]): StixObject => o.object ?? JSON.parse(o.json)

function toPage(req: FastifyRequest, page: SharedPage) {
  req.server.metrics.objectsServed('rest', page.objects.length)
  return {
    items: page.objects.map((o) => ({
      collectionId: o.row.collection_id,
      dateAdded: o.row.date_added,
      version: o.row.version,
      object: stixObject(o),
    })),
    nextCursor: page.more && page.last ? encodeCursor([page.last.seq], actorOf(req).orgId) : null,
  }
}

export const objectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['objects']
  const read = (req: FastifyRequest, filter: SharedObjectFilter, limit: number) =>
    readSharedPage({
      knex: app.knex,
      registry: app.registry,
      principal: actorOf(req),
      filter,
      order: 'seq',
      limit,
      metrics: app.metrics,
      storedOutput: app.anonymizedOutput,
    })

  app.get(
    '/objects',
    {
      preHandler: requirePermission('objects:read'),
      schema: {
        tags,
        summary: 'Objects of every collection the caller may read (last versions), through the sharing policy',
        security,
        querystring: ListQuery,
        response: { 200: Page, ...errorResponses },
      },
    },
    async (req) => {
      const q: ListQuery = req.query
      const ids = split(q.id)
      if (ids?.some((i) => !isStixIdentifier(i)))
        throw badRequest('CRISP_VALIDATION_FAILED', 'id: must be STIX identifiers')
      const collections = split(q.collection)
      if (collections?.some((c) => !isUuid(c)))
        throw badRequest('CRISP_VALIDATION_FAILED', 'collection: must be collection ids')
      const producers = split(q.producer)
      if (producers?.some((p) => !isUuid(p)))
        throw badRequest('CRISP_VALIDATION_FAILED', 'producer: must be organization ids')
      const filter: SharedObjectFilter = {
        types: split(q.type),
        ids,
        collectionIds: collections,
        labels: split(q.labels),
        q: q.q,
        producerOrgIds: producers,
        sharedWithReader: q.shared_with_me === true,
        createdFrom: timestamp('created_after', q.created_after),
        createdTo: timestamp('created_before', q.created_before),
        modifiedFrom: timestamp('modified_after', q.modified_after),
        modifiedTo: timestamp('modified_before', q.modified_before),
        versions: { last: true },
        afterSeq: decodeCursor(req, q.cursor),
      }
      return toPage(req, await read(req, filter, q.limit ?? DEFAULT_PAGE_SIZE))
    },
  )

  app.get(
    '/objects/:id',
    {
      preHandler: requirePermission('objects:read'),
      schema: {
        tags,
        summary: 'The latest version of an object the caller may read',
        security,
        params: StixIdParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errorResponses },
      },
    },
    async (req) => {
      if (!isStixIdentifier(req.params.id)) throw notFound('Object')
      const page = toPage(req, await read(req, { ids: [req.params.id], versions: { last: true } }, MAX_PAGE_SIZE))
      const latest = page.items.sort((a, b) => (a.version < b.version ? 1 : -1))[0]
      if (!latest) throw notFound('Object')
      return latest.object
    },
  )

  app.get(
    '/objects/:id/versions',
    {
      preHandler: requirePermission('objects:read'),
      schema: {
        tags,
        summary: 'Every version of an object in the collections the caller may read',
        security,
        params: StixIdParams,
        querystring: listQuery({}),
        response: { 200: Page, ...errorResponses },
      },
    },
    async (req) => {
      if (!isStixIdentifier(req.params.id)) throw notFound('Object')
      const afterSeq = decodeCursor(req, req.query.cursor)
      const page = toPage(
        req,
        await read(
          req,
          { ids: [req.params.id], versions: { all: true }, afterSeq },
          req.query.limit ?? DEFAULT_PAGE_SIZE,
        ),
      )
      if (!page.items.length && !afterSeq) throw notFound('Object')
      return page
    },
  )
}
