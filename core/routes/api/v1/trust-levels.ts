import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import {
  createTrustLevel,
  deleteTrustLevel,
  getTrustLevel,
  listTrustLevels,
  updateTrustLevel,
} from '../../../trust/trust-levels.js'
import { actorOf, errorResponses, IdParams, listQuery, NoContent, pageOf, security, SMALL_BODY } from './schemas.js'
import { Anonymization, CreateTrustLevelInput, UpdateTrustLevelInput } from '../../../trust/trust-level-input.js'

const TrustLevel = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  level: Type.Integer({ minimum: 1, maximum: 5 }),
  anonymizationLevel: Anonymization,
  description: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
const ListQuery = listQuery({})

export const trustLevelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['trust']
  const db = app.knex

  app.get(
    '/trust-levels',
    {
      preHandler: requirePermission('trust-levels:read'),
      schema: {
        tags,
        summary: 'List trust levels',
        security,
        querystring: ListQuery,
        response: { 200: pageOf(TrustLevel), ...errorResponses },
      },
    },
    async (req) => listTrustLevels({ db, filter: req.query }),
  )

  app.post(
    '/trust-levels',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('trust-levels:manage'),
      schema: {
        tags,
        summary: 'Create a trust level (admin)',
        security,
        body: CreateTrustLevelInput,
        response: { 201: TrustLevel, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createTrustLevel({ db, actor: actorOf(req), input: req.body })),
  )

  app.get(
    '/trust-levels/:id',
    {
      preHandler: requirePermission('trust-levels:read'),
      schema: {
        tags,
        summary: 'A trust level',
        security,
        params: IdParams,
        response: { 200: TrustLevel, ...errorResponses },
      },
    },
    async (req) => getTrustLevel({ db, id: req.params.id }),
  )

  app.patch(
    '/trust-levels/:id',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('trust-levels:manage'),
      schema: {
        tags,
        summary: 'Update a trust level (admin)',
        security,
        params: IdParams,
        body: UpdateTrustLevelInput,
        response: { 200: TrustLevel, ...errorResponses },
      },
    },
    async (req) => updateTrustLevel({ db, actor: actorOf(req), id: req.params.id, input: req.body }),
  )

  app.delete(
    '/trust-levels/:id',
    {
      preHandler: requirePermission('trust-levels:manage'),
      schema: {
        tags,
        summary: 'Delete an unused trust level (admin; 409 when in use)',
        security,
        params: IdParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteTrustLevel({ db, actor: actorOf(req), id: req.params.id })
      return reply.code(204).send(null)
    },
  )
}
