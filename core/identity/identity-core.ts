import type { Knex } from 'knex'
import { AuthenticationFailedError, type IdentityServices, type Principal } from '../plugin-api/index.js'
import { AppError } from '../infra/errors.js'
import { verifyApiKey } from './api-keys.js'
import type { UserState } from './auth-cache.js'
import { attemptPasswordLogin } from './login.js'
import { createLoginLimiter, type LoginLimiter } from './login-limiter.js'
import { isSessionRevoked } from './sessions.js'
import { getUserState, principalOf } from './user-state.js'

/** Signs and verifies access tokens: @fastify/jwt's `app.jwt`, attached when the app boots. */
export interface JwtCodec {
  sign(payload: object): string
  verify<T>(token: string): T
}

interface AccessClaims {
  sub: string
  /** Session (refresh-token family) id. */
  sid: string
  /** The user's token_version when issued: bumped on password change and deactivation. */
  tv: number
}

export interface IdentityCore {
  /** What auth-strategy plugins receive as `ctx.services.identity`. */
  services: IdentityServices
  limiter: LoginLimiter
  attachJwt(codec: JwtCodec): void
  issueAccessToken(user: Pick<UserState, 'id' | 'tokenVersion'>, sessionId: string): string
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/

/**
 * The identity checks shared by the auth strategies and the auth routes. Created before the plugin registry
 * (plugins receive `services` at creation) and completed by the app, which attaches the JWT codec.
 */
export function createIdentityCore(options: { knex: Knex }): IdentityCore {
  const db = options.knex
  const limiter = createLoginLimiter()
  let jwt: JwtCodec | undefined
  const codec = () => {
    if (!jwt) throw new Error('identity core used before the app attached its JWT codec')
    return jwt
  }

  async function verifyAccessToken(token: string): Promise<Principal | null> {
    if (!JWT_SHAPE.test(token)) return null
    let claims: AccessClaims
    try {
      claims = codec().verify<AccessClaims>(token)
    } catch {
      throw new AuthenticationFailedError('Access token is invalid or expired')
    }
    const state = await getUserState(db, claims.sub)
    if (!state?.active) throw new AuthenticationFailedError('Account is deactivated')
    if (state.tokenVersion !== claims.tv) throw new AuthenticationFailedError('Access token was revoked')
    if (await isSessionRevoked(db, claims.sid)) throw new AuthenticationFailedError('Session has ended')
    return { ...principalOf(state, 'password'), credentialId: claims.sid }
  }

  async function verifyPassword(input: { email: string; password: string; ip: string }): Promise<Principal | null> {
    try {
      const state = await attemptPasswordLogin({ db, limiter, ...input, via: 'basic', auditSuccess: false })
      return principalOf(state, 'password')
    } catch (err) {
      if (err instanceof AppError) throw new AuthenticationFailedError(err.message)
      throw err
    }
  }

  return {
    limiter,
    services: { verifyAccessToken, verifyPassword, verifyApiKey: (key) => verifyApiKey(db, key) },
    attachJwt(c) {
      jwt = c
    },
    issueAccessToken: (user, sessionId) => codec().sign({ sub: user.id, sid: sessionId, tv: user.tokenVersion }),
  }
}
