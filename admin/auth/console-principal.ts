import type { FastifyInstance } from 'fastify'
import { getUserState } from '../../core/identity/user-state.js'
import { principalOf } from './login.js'

/**
 * Re-checks the signed-in admin's account on every console request, and makes it the request's principal.
 * - The account as it is now (the identity core's 5 s cache, which every change invalidates): deactivated,
 *   moved, given another role, or with a new password (token_version bumped) since the login, the session is
 *   signed out, so the console's own check that follows sends the browser to the login page. An org-admin
 *   demoted to viewer does not keep its organization's users for the rest of an 8 h session.
 * - The rate limiter (keyed by principal) then gives console requests the admin's authenticated budget instead
 *   of counting them against the anonymous one of their IP.
 * The limiter runs as a route hook, after this scope's request hooks; register this after the session plugin.
 */
export function consoleAdminAsPrincipal(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (req) => {
    const admin = req.session.get('adminUser')
    if (!admin) return
    const state = await getUserState(scope.knex, admin.id)
    const unchanged =
      state?.active &&
      state.role === admin.role &&
      state.orgId === admin.orgId &&
      state.tokenVersion === admin.tokenVersion
    if (!unchanged) {
      req.session.set('adminUser', undefined)
      return
    }
    req.principal = principalOf(admin)
  })
}
