import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'

const EXEMPT = new Set(['/healthz', '/readyz'])

/**
 * Requests per minute: per principal when authenticated (by API credentials, or by the admin console's session:
 * `admin/auth/console-principal.ts`), per IP otherwise. Registered after the
 * authentication hook (a global onRequest hook, so it runs before the limiter's route-level one): a request
 * whose credentials were refused has no principal and counts against its IP's smaller budget.
 *
 * Counted per node, on purpose: with N API nodes behind a balancer a client gets up to N × the budget. A
 * PostgreSQL counter (@fastify/rate-limit takes a custom `store`) would make every request, reads included, a
 * write transaction on one hot row per client; measured here at 0.4–1 ms per upsert (≈ 2,200–2,500 upserts/s
 * for the whole database) against 1.6–2.8 ms for a whole authenticated API request, and 0.2 µs in memory.
 * These limits are a coarse abuse guard; the security-relevant one, failed logins, is shared
 * (core/identity/login-limiter.ts). docs/operations.md, "Running several nodes", says how to size them.
 */
export const rateLimitPlugin = fp(
  async (app, opts: { authenticated: number; anonymous: number }) => {
    await app.register(rateLimit, {
      global: true,
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => (req.principal ? `principal:${req.principal.userId}` : `ip:${req.ip}`),
      max: (req: FastifyRequest) => (req.principal ? opts.authenticated : opts.anonymous),
      allowList: (req: FastifyRequest) => EXEMPT.has(req.routeOptions.url ?? ''),
      errorResponseBuilder: (_req, ctx) => {
        return Object.assign(new Error(`Rate limit exceeded: ${ctx.max} requests per minute; retry in ${ctx.after}`), {
          statusCode: ctx.statusCode,
        })
      },
    })
  },
  { name: 'crisp-rate-limit', dependencies: ['crisp-authentication'] },
)
