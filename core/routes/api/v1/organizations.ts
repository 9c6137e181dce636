import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listMembers,
  listOrganizations,
  updateOrganization,
} from '../../../identity/organizations.js'
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
import { UserSchema } from './users-schema.js'
import { CreateOrganizationInput, UpdateOrganizationInput } from '../../../identity/organization-input.js'

const OrganizationIdentity = Type.Object({
  type: Type.Literal('identity'),
  spec_version: Type.String(),
  id: Type.String(),
  created: Type.String(),
  modified: Type.String(),
  name: Type.String(),
  identity_class: Type.String(),
  sectors: Type.Optional(Type.Array(Type.String())),
  contact_information: Type.Optional(Type.String()),
})
const Organization = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  contactEmail: Nullable(Type.String()),
  sectors: Type.Array(Type.String(), { description: 'STIX industry-sector-ov values' }),
  contactInformation: Nullable(Type.String()),
  identity: Type.Union([OrganizationIdentity, Type.Null()], {
    description: 'The organization as a STIX 2.1 identity: the created_by_ref of what it publishes',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
const ListQuery = listQuery({
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Substring of the name' })),
})
const PageOnly = listQuery({})

/** Organizations: everyone signed in reads the directory (to pick trustees); admins manage it. */
export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['organizations']
  const db = app.knex

  app.get(
    '/organizations',
    {
      preHandler: requirePermission('organizations:read'),
      schema: {
        tags,
        summary: 'List organizations',
        security,
        querystring: ListQuery,
        response: { 200: pageOf(Organization), ...errorResponses },
      },
    },
    async (req) => listOrganizations({ db, filter: req.query }),
  )

  app.post(
    '/organizations',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('organizations:manage'),
      schema: {
        tags,
        summary: 'Create an organization (admin)',
        security,
        body: CreateOrganizationInput,
        response: { 201: Organization, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createOrganization({ db, actor: actorOf(req), input: req.body })),
  )

  app.get(
    '/organizations/:id',
    {
      preHandler: requirePermission('organizations:read'),
      schema: {
        tags,
        summary: 'An organization',
        security,
        params: IdParams,
        response: { 200: Organization, ...errorResponses },
      },
    },
    async (req) => getOrganization({ db, id: req.params.id }),
  )

  app.patch(
    '/organizations/:id',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('organizations:manage'),
      schema: {
        tags,
        summary: 'Update an organization (admin)',
        security,
        params: IdParams,
        body: UpdateOrganizationInput,
        response: { 200: Organization, ...errorResponses },
      },
    },
    async (req) => updateOrganization({ db, actor: actorOf(req), id: req.params.id, input: req.body }),
  )

  app.delete(
    '/organizations/:id',
    {
      preHandler: requirePermission('organizations:manage'),
      schema: {
        tags,
        summary: 'Delete an organization without users (admin)',
        security,
        params: IdParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteOrganization({ db, actor: actorOf(req), id: req.params.id })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/organizations/:id/members',
    {
      preHandler: requirePermission('organizations:read'),
      schema: {
        tags,
        summary: 'Members of an organization (admin, or its own members)',
        security,
        params: IdParams,
        querystring: PageOnly,
        response: { 200: pageOf(UserSchema), ...errorResponses },
      },
    },
    async (req) => listMembers({ db, actor: actorOf(req), id: req.params.id, filter: req.query }),
  )
}
