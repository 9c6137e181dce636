import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { createApiKey, listApiKeys, listUserApiKeys, revokeApiKey } from '../../../identity/api-keys.js'
import { actorOf, errorResponses, IdParams, NoContent, security, SMALL_BODY } from './schemas.js'

const Timestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
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
  { name: Type.String({ minLength: 1, maxLength: 100 }), expiresAt: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
)

/**
 * Your own API keys; admins and org-admins also list and revoke the keys of the users they manage. The key
 * itself is returned once, at creation; only its hash is stored.
 */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['api-keys']
  const db = app.knex

  app.get('/api-keys', {
    preHandler: requirePermission('api-keys:manage-own'),
    schema: { tags, summary: 'Your API keys', security, response: { 200: Type.Object({ items: Type.Array(ApiKey) }), ...errorResponses } },
  }, async (req) => ({ items: await listApiKeys({ db, actor: actorOf(req) }) }))

  app.post('/api-keys', {
    bodyLimit: SMALL_BODY,
    preHandler: requirePermission('api-keys:manage-own'),
    schema: {
      tags, summary: 'Create an API key (shown once)', security, body: CreateBody,
      response: { 201: Type.Object({ key: Type.String({ description: 'The secret key: store it now, it is never shown again' }), apiKey: ApiKey }), ...errorResponses },
    },
  }, async (req, reply) => reply.code(201).send(await createApiKey({ db, actor: actorOf(req), input: req.body })))

  app.delete('/api-keys/:id', {
    preHandler: requirePermission('api-keys:manage-own'),
    schema: {
      tags, security, params: IdParams, response: { 204: NoContent, ...errorResponses },
      summary: "Revoke one of your API keys, or (admin; org-admin: its organization's users) another user's; effective at once",
    },
  }, async (req, reply) => {
    await revokeApiKey({ db, actor: actorOf(req), id: req.params.id })
    return reply.code(204).send(null)
  })

  app.get('/users/:id/api-keys', {
    preHandler: requirePermission('api-keys:manage'),
    schema: {
      tags, security, params: IdParams, response: { 200: Type.Object({ items: Type.Array(ApiKey) }), ...errorResponses },
      summary: "A user's API keys (admin: anyone's; org-admin: its organization's users', others are 404)",
    },
  }, async (req) => ({ items: await listUserApiKeys({ db, actor: actorOf(req), userId: req.params.id }) }))
}
