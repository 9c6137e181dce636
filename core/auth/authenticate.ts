import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { AuthenticationFailedError, type Principal } from '../plugin-api/index.js'
import { recordAudit } from '../audit/record.js'
import { AppError, forbidden, unauthorized } from '../infra/errors.js'
import { can, type Permission } from './permissions.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
    /** Set when credentials were presented and refused; the request then counts as a failed authentication. */
    authFailure: string | null
  }
}

/**
 * Resolves the principal on every request, before rate limiting, so the limiter can key by principal and
 * count failed authentications. It never rejects by itself: routes decide with {@link requirePermission}.
 */
export const authenticationPlugin = fp(
  async (app) => {
    app.decorateRequest('principal', null)
    app.decorateRequest('authFailure', null)
    app.addHook('onRequest', async (req) => {
      if (!req.headers.authorization && !req.headers['x-api-key']) return
      for (const strategy of app.registry.authStrategies()) {
        try {
          const principal = await strategy.impl.authenticate(req)
          if (principal) {
            req.principal = principal
            return
          }
        } catch (err) {
          if (!(err instanceof AuthenticationFailedError)) throw err
          req.authFailure = err.message
          return
        }
      }
      req.authFailure = 'Unrecognised credentials'
    })
    // Denials decided inside services (organization scope, self-only fields) are audited here, once.
    app.addHook('onError', async (req, _reply, err) => {
      if (!(err instanceof AppError) || err.statusCode !== 403 || AUDITED.has(err) || !req.principal) return
      await recordAudit(req.server.knex, {
        action: 'permission.denied',
        outcome: 'denied',
        actor: req.principal,
        ip: req.ip,
        details: { reason: err.message, method: req.method, url: req.routeOptions.url },
      }).catch((auditErr) => req.log.error({ err: auditErr }, 'could not audit a permission denial'))
    })
  },
  { name: 'crisp-authentication', dependencies: ['crisp-registry'] },
)

const AUDITED = new WeakSet<Error>()

/** preHandler: 401 without a principal, 403 (audited) when the role lacks the permission. */
export function requirePermission(permission: Permission) {
  return async function checkPermission(req: FastifyRequest) {
    const principal = req.principal
    if (!principal) throw unauthorized(req.authFailure ?? 'Authentication required')
    if (!can(principal, permission)) {
      await recordAudit(req.server.knex, {
        action: 'permission.denied',
        outcome: 'denied',
        actor: principal,
        ip: req.ip,
        details: { permission, method: req.method, url: req.routeOptions.url },
      })
      const denial = forbidden(`Your role (${principal.role}) does not allow ${permission}`)
      AUDITED.add(denial)
      throw denial
    }
  }
}
