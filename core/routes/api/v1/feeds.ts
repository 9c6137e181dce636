import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { requirePermission } from '../../../auth/authenticate.js'
import {
  createFeed,
  deleteFeed,
  getFeed,
  listFeeds,
  updateFeed,
  type FeedServiceContext,
} from '../../../feeds/feed-service.js'
import { listRuns, requestRun } from '../../../feeds/run-service.js'
import { dryRunFeed } from '../../../feeds/feed-dry-run.js'
import {
  DEFAULT_FEED_TLP,
  Feed,
  FeedCreateBody,
  FeedDryRun,
  FeedDryRunBody,
  FeedIdParams,
  FeedRun,
  FeedUpdateBody,
} from './feed-schemas.js'
import { actorOf, errorResponses, listQuery, NoContent, pageOf, security } from './schemas.js'

const tags = ['feeds']
const PageOnly = listQuery({})

/** `/api/v1/feeds`: publishers manage their organization's feeds, admins every feed. */
export const feedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = (req: FastifyRequest): FeedServiceContext => ({
    knex: app.knex,
    registry: app.registry,
    actor: actorOf(req),
    ip: req.ip,
    secrets: app.feedSecrets,
  })
  const manage = requirePermission('feeds:manage')

  app.get(
    '/feeds',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'List feeds',
        querystring: PageOnly,
        response: { 200: pageOf(Feed), ...errorResponses },
      },
    },
    async (req) => listFeeds(ctx(req), req.query),
  )

  app.post(
    '/feeds',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Create a feed',
        body: FeedCreateBody,
        response: { 201: Feed, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body
      const feed = await createFeed(ctx(req), {
        ...b,
        config: b.config ?? {},
        schedule: b.schedule ?? null,
        defaultTlp: b.defaultTlp ?? DEFAULT_FEED_TLP,
        enabled: b.enabled ?? true,
      })
      return reply.code(201).send(feed)
    },
  )

  app.post(
    '/feeds/test',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        body: FeedDryRunBody,
        response: { 200: FeedDryRun, ...errorResponses },
        summary: 'Dry run of a feed config: reachability, authentication, the first objects and counts; stores nothing',
        description:
          'Runs the source exactly as a feed run would (same plugin, same HTTP client and egress policy; local files only for platform admins) up to maxObjects, and checks each object as the store would. A config its plugin refuses is a 400, as when saving a feed.',
      },
    },
    async (req) =>
      dryRunFeed({
        registry: app.registry,
        actor: actorOf(req),
        input: { ...req.body, config: req.body.config ?? {} },
      }),
  )

  app.get(
    '/feeds/:id',
    {
      preHandler: manage,
      schema: { tags, security, summary: 'A feed', params: FeedIdParams, response: { 200: Feed, ...errorResponses } },
    },
    async (req) => getFeed(ctx(req), req.params.id),
  )

  app.patch(
    '/feeds/:id',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Update a feed (masked secrets are kept)',
        params: FeedIdParams,
        body: FeedUpdateBody,
        response: { 200: Feed, ...errorResponses },
      },
    },
    async (req) => updateFeed(ctx(req), req.params.id, req.body),
  )

  app.delete(
    '/feeds/:id',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Delete a feed and its runs',
        params: FeedIdParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteFeed(ctx(req), req.params.id)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/feeds/:id/run',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Queue a run now (409 if one is queued or running)',
        params: FeedIdParams,
        response: { 202: FeedRun, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(202).send(await requestRun({ ...ctx(req), queue: app.feedRuns }, req.params.id)),
  )

  app.get(
    '/feeds/:id/runs',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Runs of a feed, newest first',
        params: FeedIdParams,
        querystring: PageOnly,
        response: { 200: pageOf(FeedRun), ...errorResponses },
      },
    },
    async (req) => listRuns(ctx(req), req.params.id, req.query),
  )
}
