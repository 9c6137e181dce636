import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { listAudit } from '../../../audit/query.js'
import { literalUnion } from '../../../model/one-of.js'
import { AUDIT_OUTCOMES } from '../../../model/vocabularies.js'
import { errorResponses, listQuery, Nullable, pageOf, security } from './schemas.js'

const Entry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: literalUnion(AUDIT_OUTCOMES),
  actorUserId: Nullable(Type.String()),
  actorEmail: Nullable(Type.String()),
  actorOrganizationId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  details: Type.Unknown({
    description: 'What the action changed or concerned (an object; its fields depend on the action)',
  }),
})
const Query = listQuery({
  action: Type.Optional(
    Type.String({ maxLength: 100, description: 'Exact action, or a prefix ending in `.*` (`auth.*`)' }),
  ),
  actor: Type.Optional(Type.String({ maxLength: 320, description: 'User id or email of the actor' })),
  target: Type.Optional(Type.String({ maxLength: 200, description: 'Target id' })),
  targetType: Type.Optional(Type.String({ maxLength: 50 })),
  outcome: Type.Optional(literalUnion(AUDIT_OUTCOMES)),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })),
})

/** The append-only audit log, newest first (admin). There is deliberately no route that changes it. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      preHandler: requirePermission('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries (admin)',
        security,
        querystring: Query,
        response: { 200: pageOf(Entry), ...errorResponses },
      },
    },
    async (req) => listAudit({ db: app.knex, filter: req.query }),
  )
}
