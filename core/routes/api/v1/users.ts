import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { changePassword, createUser, getUser, listUsers, resetPassword, updateUser } from '../../../identity/users.js'
import { actorOf, errorResponses, IdParams, listQuery, NoContent, pageOf, security, SMALL_BODY } from './schemas.js'
import { UserSchema } from './users-schema.js'
import {
  ChangePasswordInput,
  CreateUserInput,
  ResetPasswordInput,
  Role,
  UpdateSelfInput,
  UpdateUserInput,
} from '../../../identity/user-input.js'

const ListQuery = listQuery({
  organizationId: Type.Optional(Type.String({ format: 'uuid' })),
  role: Type.Optional(Role),
  isActive: Type.Optional(Type.Boolean()),
  email: Type.Optional(Type.String({ maxLength: 320, description: 'Substring of the email' })),
})

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['users']
  const db = app.knex

  app.get(
    '/users',
    {
      preHandler: requirePermission('users:manage'),
      schema: {
        tags,
        summary: "List users (admin: all; org-admin: its own organization's)",
        security,
        querystring: ListQuery,
        response: { 200: pageOf(UserSchema), ...errorResponses },
      },
    },
    async (req) => listUsers({ db, actor: actorOf(req), filter: req.query }),
  )

  app.post(
    '/users',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('users:manage'),
      schema: {
        tags,
        summary: 'Create a user (admin; org-admin: in its own organization, any role but admin)',
        security,
        body: CreateUserInput,
        response: { 201: UserSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createUser({ db, actor: actorOf(req), input: req.body })),
  )

  app.get(
    '/users/me',
    {
      preHandler: requirePermission('self:read'),
      schema: {
        tags,
        summary: 'Your account: the signed-in user, as GET /users/{id} shows it',
        security,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (req) => getUser({ db, actor: actorOf(req), id: actorOf(req).userId }),
  )

  app.patch(
    '/users/me',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('self:update'),
      schema: {
        tags,
        summary: 'Update your account',
        security,
        body: UpdateSelfInput,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (req) => updateUser({ db, actor: actorOf(req), id: actorOf(req).userId, input: req.body }),
  )

  app.post(
    '/users/me/password',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('self:update'),
      schema: {
        tags,
        summary: 'Change your password (ends every session)',
        security,
        body: ChangePasswordInput,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await changePassword({ db, actor: actorOf(req), ...req.body })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/users/:id/password',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('users:manage'),
      schema: {
        tags,
        summary: "Set a user's password (admin, or the user's org-admin; ends every session of that user)",
        security,
        params: IdParams,
        body: ResetPasswordInput,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await resetPassword({ db, actor: actorOf(req), id: req.params.id, input: req.body })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/users/:id',
    {
      preHandler: requirePermission('self:read'),
      schema: {
        tags,
        summary: "A user (yourself; admin: any; org-admin: its organization's, others are 404)",
        security,
        params: IdParams,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (req) => getUser({ db, actor: actorOf(req), id: req.params.id }),
  )

  app.patch(
    '/users/:id',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('self:update'),
      schema: {
        tags,
        summary:
          'Update a user (yourself: display name; admin: any field; org-admin: users of its organization, which they cannot leave, never to admin)',
        security,
        params: IdParams,
        body: UpdateUserInput,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (req) => updateUser({ db, actor: actorOf(req), id: req.params.id, input: req.body }),
  )
}
