import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import {
  createTrustRelationship,
  deleteTrustRelationship,
  getTrustRelationship,
  listTrustRelationships,
  updateTrustRelationship,
  type TrustChangeHook,
} from '../../../trust/trust-relationships.js'
import { enqueueOwnerPrefill } from '../../../sharing/prefill.js'
import { actorOf, errorResponses, IdParams, listQuery, NoContent, pageOf, security, SMALL_BODY } from './schemas.js'
import { CreateTrustRelationshipInput, UpdateTrustRelationshipInput } from '../../../trust/trust-relationship-input.js'

const Uuid = Type.String({ format: 'uuid' })
const Relationship = Type.Object({
  id: Uuid,
  trustorOrganizationId: Type.String({ format: 'uuid', description: 'The organization that shares (and decides)' }),
  trusteeOrganizationId: Type.String({ format: 'uuid', description: 'The organization that receives' }),
  trustLevelId: Uuid,
  notes: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
const ListQuery = listQuery({ trustorOrganizationId: Type.Optional(Uuid), trusteeOrganizationId: Type.Optional(Uuid) })

/** Publishers manage the relationships where their organization is the trustor; admins all. */
export const trustRelationshipRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['trust']
  const db = app.knex
  // A new or re-levelled trustee's stored anonymization output is filled ahead of its first read.
  const onTrustChange: TrustChangeHook = (trx, trustor) => enqueueOwnerPrefill(trx, app.jobs, trustor)

  app.get(
    '/trust-relationships',
    {
      preHandler: requirePermission('trust-relationships:read'),
      schema: {
        tags,
        summary: 'List relationships (yours, or all for admins)',
        security,
        querystring: ListQuery,
        response: { 200: pageOf(Relationship), ...errorResponses },
      },
    },
    async (req) => listTrustRelationships({ db, actor: actorOf(req), filter: req.query }),
  )

  app.post(
    '/trust-relationships',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('trust-relationships:manage'),
      schema: {
        tags,
        summary: 'Create a relationship (trustor publishers, admins)',
        security,
        body: CreateTrustRelationshipInput,
        response: { 201: Relationship, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await createTrustRelationship({ db, actor: actorOf(req), input: req.body, onTrustChange })),
  )

  app.get(
    '/trust-relationships/:id',
    {
      preHandler: requirePermission('trust-relationships:read'),
      schema: {
        tags,
        summary: 'A relationship your organization is part of',
        security,
        params: IdParams,
        response: { 200: Relationship, ...errorResponses },
      },
    },
    async (req) => getTrustRelationship({ db, actor: actorOf(req), id: req.params.id }),
  )

  app.patch(
    '/trust-relationships/:id',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('trust-relationships:manage'),
      schema: {
        tags,
        summary: 'Change trust level or notes',
        security,
        params: IdParams,
        body: UpdateTrustRelationshipInput,
        response: { 200: Relationship, ...errorResponses },
      },
    },
    async (req) =>
      updateTrustRelationship({ db, actor: actorOf(req), id: req.params.id, input: req.body, onTrustChange }),
  )

  app.delete(
    '/trust-relationships/:id',
    {
      preHandler: requirePermission('trust-relationships:manage'),
      schema: {
        tags,
        summary: 'Delete a relationship',
        security,
        params: IdParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteTrustRelationship({ db, actor: actorOf(req), id: req.params.id })
      return reply.code(204).send(null)
    },
  )
}
