import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import {
  createCollection,
  deleteCollection,
  updateCollection,
  writableCollection,
} from '../../../collections/collections.js'
import { badRequest, notFound } from '../../../infra/errors.js'
import { findVisibleCollection, pageVisibleCollections } from '../../../collections/visible-collections.js'
import { countResults } from '../../../store/index.js'
import { publishBundle } from '../../../indicators/publish-bundle.js'
import { isStixBundleLike } from '../../../stix/types.js'
import { literalUnion } from '../../../model/one-of.js'
import { VISIBILITIES } from '../../../model/vocabularies.js'
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

const Visibility = literalUnion(VISIBILITIES, {
  description:
    'private: owner only; trusted: orgs the owner has a trust relationship towards; public: every organization',
})
const Collection = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  description: Type.String(),
  alias: Nullable(Type.String()),
  visibility: Visibility,
  organizationId: Type.String({ format: 'uuid', description: 'The owning organization' }),
  canRead: Type.Boolean(),
  canWrite: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})
const fields = {
  title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  alias: Type.Optional(Type.Union([Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), Type.Null()])),
  visibility: Visibility,
}
const StoreResult = Type.Object({
  index: Type.Integer(),
  id: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  status: Type.Union([
    Type.Literal('new'),
    Type.Literal('new-version'),
    Type.Literal('unchanged'),
    Type.Literal('rejected'),
  ]),
  message: Type.Optional(Type.String()),
})
const Counts = Type.Object({
  new: Type.Integer(),
  'new-version': Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
})

export const collectionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['collections']
  const db = app.knex
  app.get(
    '/collections',
    {
      preHandler: requirePermission('collections:read'),
      schema: {
        tags,
        summary: 'Collections the caller may see',
        security,
        querystring: listQuery({}),
        response: { 200: pageOf(Collection), ...errorResponses },
      },
    },
    async (req) => pageVisibleCollections(db, actorOf(req), req.query),
  )

  app.post(
    '/collections',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('collections:manage'),
      schema: {
        tags,
        summary: "Create a collection owned by the caller's organization",
        security,
        body: Type.Object({ ...fields, visibility: Type.Optional(Visibility) }, { additionalProperties: false }),
        response: { 201: Collection, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(
        await createCollection({
          db,
          actor: actorOf(req),
          input: { ...req.body, visibility: req.body.visibility ?? 'private' },
        }),
      ),
  )

  app.get(
    '/collections/:id',
    {
      preHandler: requirePermission('collections:read'),
      schema: {
        tags,
        summary: 'A collection (404 when not visible)',
        security,
        params: IdParams,
        response: { 200: Collection, ...errorResponses },
      },
    },
    async (req) => {
      const c = await findVisibleCollection(db, actorOf(req), req.params.id)
      if (!c) throw notFound('Collection')
      return c
    },
  )

  app.patch(
    '/collections/:id',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('collections:manage'),
      schema: {
        tags,
        summary: 'Update a collection (owner organization)',
        security,
        params: IdParams,
        body: Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 }),
        response: { 200: Collection, ...errorResponses },
      },
    },
    async (req) => updateCollection({ db, actor: actorOf(req), id: req.params.id, input: req.body }),
  )

  app.delete(
    '/collections/:id',
    {
      preHandler: requirePermission('collections:manage'),
      schema: {
        tags,
        summary: 'Delete a collection (its object versions stay stored)',
        security,
        params: IdParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteCollection({ db, actor: actorOf(req), id: req.params.id })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/collections/:id/bundles',
    {
      preHandler: requirePermission('objects:publish'),
      schema: {
        tags,
        summary: 'Publish a STIX bundle into a collection; one result per object',
        security,
        params: IdParams,
        body: Type.Unknown({ description: 'A STIX 2.1 bundle' }),
        response: { 200: Type.Object({ counts: Counts, results: Type.Array(StoreResult) }), ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req)
      const c = await writableCollection(db, actor, req.params.id)
      if (!isStixBundleLike(req.body))
        throw badRequest(
          'CRISP_NOT_A_BUNDLE',
          'The body must be a STIX bundle: {"type": "bundle", "id": "bundle--…", "objects": […]}',
        )
      const results = await publishBundle({
        db,
        jobs: app.jobs,
        collectionId: c.id,
        producerOrgId: actor.orgId,
        objects: req.body.objects,
      })
      app.metrics.objectsIngested('rest', results)
      return { counts: countResults(results), results }
    },
  )
}
