import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { queuePendingRequest } from '../../taxii/ingest-job.js'
import { storeObjects } from '../../store/index.js'
import { ASYNC_INGEST_THRESHOLD, findStatus, insertCompleteStatus, type StatusResource } from '../../taxii/status-store.js'
import { collectionFor } from './access.js'
import { taxiiError } from './errors.js'
import { TAXII_MEDIA_TYPE } from './media.js'
import { readTaxiiPage, sendTaxiiPage } from './paging.js'
import { parseObjectFilters, type TaxiiQuery } from './params.js'
import { CollectionParams, EnvelopeSchema, ErrorSchema, FilterQuery, StatusSchema } from './schemas.js'

/** `{"more":…,"next":…,"objects":[…]}` assembled from already serialized objects. */
export function envelopeJson(more: boolean, next: string | undefined, objects: string[]): string {
  const head = `{"more":${more}${next ? `,"next":${JSON.stringify(next)}` : ''}`
  return objects.length ? `${head},"objects":[${objects.join(',')}]}` : `${head}}`
}

/** `GET` and `POST {root}/collections/{id}/objects/`. */
export const objectsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/collections/:collectionId/objects/',
    { schema: { tags: ['taxii'], summary: 'Objects of a collection (envelope)', params: CollectionParams, querystring: FilterQuery, response: { 200: EnvelopeSchema, 403: ErrorSchema, 404: ErrorSchema } } },
    async (req, reply) => {
      const { collection } = await collectionFor(req, req.params.collectionId, 'read')
      const query = req.query as TaxiiQuery
      const { page, next } = await readTaxiiPage(req, collection, query, parseObjectFilters(query))
      app.metrics.objectsServed('taxii', page.objects.length)
      return sendTaxiiPage(reply, page, envelopeJson(page.more, next, page.objects.map((o) => o.json)))
    },
  )

  app.post(
    '/api/collections/:collectionId/objects/',
    { schema: { tags: ['taxii'], summary: 'Add objects (envelope); answers a status', params: CollectionParams, response: { 202: StatusSchema, 403: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema } } },
    async (req, reply) => {
      const { principal, collection } = await collectionFor(req, req.params.collectionId, 'write')
      const body = req.body as { objects?: unknown } | null
      if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(body.objects)) {
        throw taxiiError(422, 'CRISP_TAXII_NOT_AN_ENVELOPE', 'The body must be a TAXII envelope: an object with an "objects" list')
      }
      const objects = body.objects as unknown[]
      let statusId: string
      if (objects.length > ASYNC_INGEST_THRESHOLD) {
        statusId = await queuePendingRequest(app.knex, app.jobs, { collectionId: collection.id, principal, objects })
      } else {
        let stored: Awaited<ReturnType<typeof storeObjects>> = []
        statusId = await app.knex.transaction(async (trx) => {
          const results = (stored = await storeObjects({ db: trx, collectionId: collection.id, producerOrgId: principal.orgId, objects }))
          return insertCompleteStatus(trx, { collectionId: collection.id, principal, results })
        })
        app.metrics.objectsIngested('taxii', stored)
      }
      const status = (await findStatus(app.knex, statusId, principal.orgId)) as StatusResource
      return reply.code(202).type(TAXII_MEDIA_TYPE).send(status)
    },
  )
}
