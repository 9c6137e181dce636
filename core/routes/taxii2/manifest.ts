import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { collectionFor } from './access.js'
import { STIX_MEDIA_TYPE } from './media.js'
import { readTaxiiPage, sendTaxiiPage } from './paging.js'
import { parseObjectFilters } from './params.js'
import { CollectionParams, ErrorSchema, FilterQuery, ManifestSchema } from './schemas.js'

/** `GET {root}/collections/{id}/manifest/`: records of what objects would return, through the same egress. */
export const manifestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/collections/:collectionId/manifest/',
    {
      schema: {
        tags: ['taxii'],
        summary: 'Manifest of a collection',
        params: CollectionParams,
        querystring: FilterQuery,
        response: { 200: ManifestSchema, 403: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const access = await collectionFor(req, req.params.collectionId, 'read')
      const { page, next } = await readTaxiiPage(req, access, req.query, parseObjectFilters(req.query))
      const objects = page.objects.map((o) => ({
        id: o.id,
        date_added: o.row.date_added,
        version: o.row.version,
        media_type: STIX_MEDIA_TYPE,
      }))
      const body = { more: page.more, ...(next ? { next } : {}), ...(objects.length ? { objects } : {}) }
      return sendTaxiiPage(reply, page, JSON.stringify(body))
    },
  )
}
