import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listVisibleCollections, type CollectionAccess } from '../../collections/visible-collections.js'
import { collectionFor, principalOf } from './access.js'
import { STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './media.js'
import { CollectionParams, CollectionSchema, CollectionsSchema, ErrorSchema } from './schemas.js'

function toTaxii(c: CollectionAccess) {
  return {
    id: c.id,
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
    ...(c.alias ? { alias: c.alias } : {}),
    can_read: c.canRead,
    can_write: c.canWrite,
    media_types: [STIX_MEDIA_TYPE],
  }
}

/** `GET {root}/collections/` and `GET {root}/collections/{id}/`: only what the caller may see. */
export const collectionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/collections/',
    {
      schema: {
        tags: ['taxii'],
        summary: 'Collections the caller may see',
        response: { 200: CollectionsSchema, 401: ErrorSchema },
      },
    },
    async (req, reply) => {
      const collections = (await listVisibleCollections(app.knex, principalOf(req))).map(toTaxii)
      return reply.type(TAXII_MEDIA_TYPE).send(collections.length ? { collections } : {})
    },
  )
  app.get(
    '/api/collections/:collectionId/',
    {
      schema: {
        tags: ['taxii'],
        summary: 'One collection',
        params: CollectionParams,
        response: { 200: CollectionSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const { collection } = await collectionFor(req, req.params.collectionId, 'see')
      return reply.type(TAXII_MEDIA_TYPE).send(toTaxii(collection))
    },
  )
}
