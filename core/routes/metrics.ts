import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { forbidden, unauthorized } from '../infra/errors.js'
import { errorResponses, security } from './api/v1/schemas.js'

/**
 * `Authorization: Bearer <CRISP_METRICS_TOKEN>`, compared in constant time (digests of equal length, so
 * neither the content nor the length of the token leaks through timing). Without a configured token: never.
 */
export function scrapeTokenCheck(token: string | undefined): (req: FastifyRequest) => boolean {
  if (!token) return () => false
  const expected = createHash('sha256').update(token).digest()
  return (req) => {
    const header = req.headers.authorization
    if (!header || !/^bearer /i.test(header)) return false
    return timingSafeEqual(createHash('sha256').update(header.slice(7).trim()).digest(), expected)
  }
}

/**
 * `GET /metrics` in Prometheus text format: for a platform admin (bearer token, API key) or a scraper holding
 * the scrape token. A request carrying the valid scrape token is not rate limited (a Prometheus server behind
 * the same address as anonymous clients must not lose scrapes); every other request is, as anywhere.
 */
export const metricsRoutes: FastifyPluginAsync<{ scrapeToken?: string }> = async (app, opts) => {
  const isScraper = scrapeTokenCheck(opts.scrapeToken)
  app.get(
    '/metrics',
    {
      config: { rateLimit: { allowList: (req: FastifyRequest) => isScraper(req) } },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (platform admins, or the scrape token CRISP_METRICS_TOKEN as a bearer token)',
        security,
        produces: ['text/plain'],
        response: {
          200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }),
          401: errorResponses[401],
          403: errorResponses[403],
          429: errorResponses[429],
        },
      },
    },
    async (req, reply) => {
      if (!isScraper(req)) {
        if (!req.principal) throw unauthorized(req.authFailure ?? 'Authentication required')
        if (req.principal.role !== 'admin')
          throw forbidden('Only platform admins and the metrics scrape token may read metrics')
      }
      const text = await app.metrics.registry.metrics()
      return reply.header('cache-control', 'no-store').type(app.metrics.registry.contentType).send(text)
    },
  )
}
