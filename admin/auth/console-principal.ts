import type { FastifyInstance } from 'fastify'
import { principalOf } from './login.js'

/**
 * Makes the signed-in admin the request's principal, so the rate limiter (keyed by principal) gives console
 * requests the admin's authenticated budget instead of counting them against the anonymous one of their IP.
 * The limiter runs as a route hook, after this scope's request hooks; register this after the session plugin.
 */
export function consoleAdminAsPrincipal(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (req) => {
    const admin = req.session.get('adminUser')
    if (admin) req.principal = principalOf(admin)
  })
}
