import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { readiness } from '../infra/readiness.js'

const Check = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
  checks: Type.Record(Type.String(), Type.Boolean()),
})

/** Liveness and readiness: the only routes besides TAXII discovery that need no credentials. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Process is up', response: { 200: Check } } },
    async () => ({
      status: 'ok' as const,
      checks: { process: true },
    }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Database reachable, migrations current, job queue running',
        response: { 200: Check, 503: Check },
      },
    },
    async (_req, reply) => {
      const checks = await readiness(app.knex, app.jobs.isRunning(), (err) =>
        app.log.warn({ err }, 'readiness check failed'),
      )
      const ok = Object.values(checks).every(Boolean)
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'failing', checks })
    },
  )
}
