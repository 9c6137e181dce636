import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { listAudit } from '../../../audit/query.js'
import { pageOf, PageQuery } from '../../../infra/paging.js'
import { errorResponses, security } from './schemas.js'

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()])
const Entry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: Type.String(),
  actorUserId: Nullable(Type.String()),
  actorEmail: Nullable(Type.String()),
  actorOrgId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
})
const Query = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'Exact action, or a prefix ending in `.*` (`auth.*`)' })),
    actor: Type.Optional(Type.String({ maxLength: 320, description: 'User id or email of the actor' })),
    target: Type.Optional(Type.String({ maxLength: 200, description: 'Target id' })),
    targetType: Type.Optional(Type.String({ maxLength: 50 })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })),
    ...PageQuery,
  },
  { additionalProperties: false },
)

/** The append-only audit log, newest first (admin). There is deliberately no route that changes it. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/audit', {
    preHandler: requirePermission('audit:read'),
    schema: { tags: ['audit'], summary: 'Audit log entries (admin)', security, querystring: Query, response: { 200: pageOf(Entry), ...errorResponses } },
  }, async (req) => listAudit({ db: app.knex, filter: req.query }))
}
