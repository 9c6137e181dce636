import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { IdentityCore } from './identity-core.js'

declare module 'fastify' {
  interface FastifyInstance {
    identity: IdentityCore
    /** Token lifetimes (seconds) the auth routes announce and apply. */
    authConfig: { accessTokenTtl: number; refreshTokenTtl: number }
  }
}

/**
 * Registers @fastify/jwt (HS256 with the platform secret, short TTL) and hands it to the identity core the
 * auth strategies already hold, then exposes the core to the auth routes.
 */
export const identityPlugin = fp(
  async (app, opts: { identity: IdentityCore; secret: string; accessTokenTtl: number; refreshTokenTtl: number }) => {
    // Every token this platform signs expires; one without `exp` (signed with a leaked secret, or by other code) would not.
    await app.register(jwt, { secret: opts.secret, sign: { algorithm: 'HS256', expiresIn: opts.accessTokenTtl }, verify: { algorithms: ['HS256'], requiredClaims: ['exp'] } })
    opts.identity.attachJwt({ sign: (payload) => app.jwt.sign(payload), verify: <T>(token: string) => app.jwt.verify(token) as T })
    app.decorate('identity', opts.identity)
    app.decorate('authConfig', { accessTokenTtl: opts.accessTokenTtl, refreshTokenTtl: opts.refreshTokenTtl })
  },
  { name: 'crisp-identity' },
)
