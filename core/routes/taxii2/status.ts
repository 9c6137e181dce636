import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { StatusResourceSchema } from '../../taxii/status-resource.js'
import { findStatus } from '../../taxii/status-store.js'
import { principalOf } from './access.js'
import { taxiiError } from './errors.js'
import { TAXII_MEDIA_TYPE } from './media.js'
import { ErrorSchema } from './schemas.js'

/** `GET {root}/status/{id}/`: the caller's organization's add requests, kept at least 24 h. */
export const statusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/status/:statusId/',
    {
      schema: {
        tags: ['taxii'],
        summary: 'Status of an add request',
        params: Type.Object({ statusId: Type.String() }),
        response: { 200: StatusResourceSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const status = await findStatus(app.knex, req.params.statusId, principalOf(req).orgId)
      if (!status) throw taxiiError(404, 'CRISP_TAXII_STATUS_NOT_FOUND', 'No such status')
      return reply.type(TAXII_MEDIA_TYPE).send(status)
    },
  )
}
