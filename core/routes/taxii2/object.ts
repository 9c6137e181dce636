import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isStixIdentifier } from '../../stix/ids.js'
import { deleteObjectVersions } from '../../taxii/remove-object.js'
import { collectionFor } from './access.js'
import { taxiiError } from './errors.js'
import { readTaxiiPage, readTaxiiTextPage, sendTaxiiPage } from './paging.js'
import { parseSpecVersions, parseVersionMatch, parseObjectFilters } from './params.js'
import { envelopeJson } from './objects.js'
import { EnvelopeSchema, ErrorSchema, FilterQuery, ObjectParams, VersionsSchema } from './schemas.js'

const notFound = () => taxiiError(404, 'CRISP_TAXII_OBJECT_NOT_FOUND', 'No such object in this collection')

function objectId(id: string): string {
  if (!isStixIdentifier(id)) throw notFound()
  return id
}

/** `GET`/`DELETE {root}/collections/{id}/objects/{object-id}/` and its `versions/`. */
export const objectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const schema = (summary: string, response: Record<number, unknown>) => ({
    tags: ['taxii'],
    summary,
    params: ObjectParams,
    querystring: FilterQuery,
    response,
  })

  app.get(
    '/api/collections/:collectionId/objects/:objectId/',
    { schema: schema('One object (envelope)', { 200: EnvelopeSchema, 404: ErrorSchema }) },
    async (req, reply) => {
      const access = await collectionFor(req, req.params.collectionId, 'read')
      const query = req.query
      const filter = { ...parseObjectFilters(query), ids: [objectId(req.params.objectId)], types: undefined }
      const { page, next } = await readTaxiiTextPage(req, access, query, filter)
      if (!page.count && !query.next) throw notFound()
      app.metrics.objectsServed('taxii', page.count)
      return sendTaxiiPage(reply, page, envelopeJson(page.more, next, page.objects))
    },
  )

  app.get(
    '/api/collections/:collectionId/objects/:objectId/versions/',
    { schema: schema('Versions of an object', { 200: VersionsSchema, 404: ErrorSchema }) },
    async (req, reply) => {
      const access = await collectionFor(req, req.params.collectionId, 'read')
      const query = req.query
      const filter = {
        ...parseObjectFilters(query),
        ids: [objectId(req.params.objectId)],
        types: undefined,
        versions: { all: true },
      }
      const { page, next } = await readTaxiiPage(req, access, query, filter)
      if (!page.objects.length && !query.next) throw notFound()
      const versions = page.objects.map((o) => o.row.version)
      return sendTaxiiPage(
        reply,
        page,
        JSON.stringify({ more: page.more, ...(next ? { next } : {}), ...(versions.length ? { versions } : {}) }),
      )
    },
  )

  app.delete(
    '/api/collections/:collectionId/objects/:objectId/',
    {
      schema: schema('Remove an object from the collection', {
        200: { type: 'null' },
        403: ErrorSchema,
        404: ErrorSchema,
      }),
    },
    async (req, reply) => {
      const { collection } = await collectionFor(req, req.params.collectionId, 'write')
      const query = req.query
      const removed = await deleteObjectVersions(app.knex, {
        collectionId: collection.id,
        stixId: objectId(req.params.objectId),
        versions: parseVersionMatch(query, { all: true }),
        specVersions: parseSpecVersions(query),
      })
      if (removed === 0) throw notFound()
      return reply.code(200).send()
    },
  )
}
