import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { addObjects } from '../../taxii/add-objects.js'
import { StatusResourceSchema } from '../../taxii/status-resource.js'
import { collectionFor } from './access.js'
import { TAXII_MEDIA_TYPE } from './media.js'
import { readTaxiiTextPage, sendTaxiiPage } from './paging.js'
import { parseObjectFilters } from './params.js'
import { CollectionParams, EnvelopeSchema, ErrorSchema, FilterQuery } from './schemas.js'

/** `{"more":…,"next":…,"objects":[…]}` assembled from already serialized objects, joined with commas. */
export function envelopeJson(more: boolean, next: string | undefined, objects: string): string {
  const head = `{"more":${more}${next ? `,"next":${JSON.stringify(next)}` : ''}`
  return objects ? `${head},"objects":[${objects}]}` : `${head}}`
}

/** `GET` and `POST {root}/collections/{id}/objects/`. */
export const objectsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/collections/:collectionId/objects/',
    {
      schema: {
        tags: ['taxii'],
        summary: 'Objects of a collection (envelope)',
        params: CollectionParams,
        querystring: FilterQuery,
        response: { 200: EnvelopeSchema, 403: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const access = await collectionFor(req, req.params.collectionId, 'read')
      const { page, next } = await readTaxiiTextPage(req, access, req.query, parseObjectFilters(req.query))
      app.metrics.objectsServed('taxii', page.count)
      return sendTaxiiPage(reply, page, envelopeJson(page.more, next, page.objects))
    },
  )

  app.post(
    '/api/collections/:collectionId/objects/',
    {
      schema: {
        tags: ['taxii'],
        summary: 'Add objects (envelope); answers a status',
        params: CollectionParams,
        response: { 202: StatusResourceSchema, 403: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema },
      },
    },
    async (req, reply) => {
      const { principal, collection } = await collectionFor(req, req.params.collectionId, 'write')
      const status = await addObjects(app, { collectionId: collection.id, principal, envelope: req.body })
      return reply.code(202).type(TAXII_MEDIA_TYPE).send(status)
    },
  )
}
