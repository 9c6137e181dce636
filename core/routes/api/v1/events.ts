import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { ingestEvents } from '../../../events/ingest-events.js'
import { getEvent, listEvents } from '../../../events/event-queries.js'
import { parseNdjson } from '../../../events/ndjson.js'
import { createIngestKey, requireIngest } from '../../../events/scoped-keys.js'
import { eventErrors } from '../../../events/errors.js'
import { actorOf, errorResponses, IdParams, listQuery, pageOf, security, SMALL_BODY } from './schemas.js'
import { Event, EventDetail, IngestBody, IngestKey, IngestKeyBody, IngestResponse } from './event-schemas.js'

/** Security events of the caller's organization: ingestion (admins, keys scoped to `events:ingest`) and reading. */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['events']
  const db = app.knex
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseNdjson(typeof body === 'string' ? body : body.toString('utf8'))),
  )

  app.post(
    '/events',
    {
      preHandler: requireIngest,
      config: { scopedPermission: 'events:ingest' },
      schema: {
        tags,
        summary: 'Submit one event or a batch (JSON array or NDJSON); bad items are refused one by one',
        security,
        body: IngestBody,
        response: { 200: IngestResponse, 201: IngestResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const items = Array.isArray(req.body) ? req.body : [req.body]
      const outcome = await ingestEvents({ db, jobs: app.jobs, log: req.log, actor: actorOf(req), items })
      if (!outcome.created) throw eventErrors.allRejected(outcome.results)
      return reply.code(outcome.rejected ? 200 : 201).send(outcome)
    },
  )

  app.get(
    '/events',
    {
      preHandler: requirePermission('events:read'),
      schema: {
        tags,
        summary: "Your organization's events, newest first",
        security,
        querystring: listQuery({
          severity: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'At least this severity' })),
          source: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: pageOf(Event), ...errorResponses },
      },
    },
    async (req) => listEvents({ db, actor: actorOf(req), filter: req.query }),
  )

  app.get(
    '/events/:id',
    {
      preHandler: requirePermission('events:read'),
      schema: {
        tags,
        summary: 'One event with its alert and its matches with shared intelligence',
        security,
        params: IdParams,
        response: { 200: EventDetail, ...errorResponses },
      },
    },
    async (req) => getEvent({ db, actor: actorOf(req), id: req.params.id }),
  )

  app.post(
    '/events/ingest-keys',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('users:manage'),
      schema: {
        tags,
        summary: 'Create an API key that may only submit events (for a SIEM; shown once)',
        security,
        body: IngestKeyBody,
        response: { 201: IngestKey, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createIngestKey({ db, actor: actorOf(req), input: req.body })),
  )
}
