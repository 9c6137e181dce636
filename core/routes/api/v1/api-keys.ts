import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { createApiKey, listApiKeys, listUserApiKeys, revokeApiKey } from '../../../identity/api-keys.js'
import {
  actorOf,
  errorResponses,
  IdParams,
  listQuery,
  NoContent,
  Nullable,
  pageOf,
  security,
  SMALL_BODY,
} from './schemas.js'

const Timestamp = Nullable(Type.String({ format: 'date-time' }))
const PageOnly = listQuery({})
const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'Visible part of the key (`crisp_<prefix>_…`) to tell keys apart' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Timestamp,
  lastUsedAt: Timestamp,
  revokedAt: Timestamp,
})
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)

/**
 * Your own API keys; admins and org-admins also list and revoke the keys of the users they manage. The key
 * itself is returned once, at creation; only its hash is stored.
 */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['api-keys']
  const db = app.knex

  app.get(
    '/api-keys',
    {
      preHandler: requirePermission('api-keys:manage-own'),
      schema: {
        tags,
        summary: 'Your API keys, newest first',
        security,
        querystring: PageOnly,
        response: { 200: pageOf(ApiKey), ...errorResponses },
      },
    },
    async (req) => listApiKeys({ db, actor: actorOf(req), page: req.query }),
  )

  app.post(
    '/api-keys',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('api-keys:manage-own'),
      schema: {
        tags,
        summary: 'Create an API key (shown once)',
        security,
        body: CreateBody,
        response: {
          201: Type.Object({
            key: Type.String({ description: 'The secret key: store it now, it is never shown again' }),
            apiKey: ApiKey,
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await createApiKey({ db, actor: actorOf(req), input: req.body })),
  )

  app.delete(
    '/api-keys/:id',
    {
      preHandler: requirePermission('api-keys:manage-own'),
      schema: {
        tags,
        security,
        params: IdParams,
        response: { 204: NoContent, ...errorResponses },
        summary:
          "Revoke one of your API keys, or (admin; org-admin: its organization's users) another user's; effective at once",
      },
    },
    async (req, reply) => {
      await revokeApiKey({ db, actor: actorOf(req), id: req.params.id })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/users/:id/api-keys',
    {
      preHandler: requirePermission('api-keys:manage'),
      schema: {
        tags,
        security,
        params: IdParams,
        querystring: PageOnly,
        response: { 200: pageOf(ApiKey), ...errorResponses },
        summary:
          "A user's API keys, newest first (admin: anyone's; org-admin: its organization's users', others are 404)",
      },
    },
    async (req) => listUserApiKeys({ db, actor: actorOf(req), userId: req.params.id, page: req.query }),
  )
}
