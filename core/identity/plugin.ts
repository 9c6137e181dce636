import fp from 'fastify-plugin'
import type { IdentityCore } from './identity-core.js'

declare module 'fastify' {
  interface FastifyInstance {
    identity: IdentityCore
    /** Token lifetimes (seconds) the auth routes announce and apply. */
    authConfig: { accessTokenTtl: number; refreshTokenTtl: number }
  }
}

/**
 * Exposes the identity core the auth strategies already hold (built complete, with its access-token codec:
 * core/identity/jwt-keys.ts) to the auth routes.
 */
export const identityPlugin = fp(
  async (app, opts: { identity: IdentityCore; accessTokenTtl: number; refreshTokenTtl: number }) => {
    app.decorate('identity', opts.identity)
    app.decorate('authConfig', { accessTokenTtl: opts.accessTokenTtl, refreshTokenTtl: opts.refreshTokenTtl })
  },
  { name: 'crisp-identity' },
)
