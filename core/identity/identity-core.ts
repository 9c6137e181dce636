import type { Knex } from 'knex'
import { AuthenticationFailedError, type IdentityServices, type Principal } from '../plugin-api/index.js'
import { AppError } from '../infra/errors.js'
import { verifyApiKey } from './api-keys.js'
import type { UserState } from './auth-cache.js'
import { attemptPasswordLogin } from './login.js'
import { createLoginLimiter, type LoginLimiter } from './login-limiter.js'
import { isSessionRevoked } from './sessions.js'
import { getUserState, principalOf } from './user-state.js'
import type { PlatformMetrics } from '../infra/metrics.js'
import type { JwtCodec } from './jwt-keys.js'

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
  issueAccessToken(user: Pick<UserState, 'id' | 'tokenVersion'>, sessionId: string): string
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/

/** The claims this platform signs, read back from a verified payload (anything else is refused). */
function accessClaims(payload: unknown): AccessClaims | null {
  if (payload === null || typeof payload !== 'object') return null
  const claims = new Map<string, unknown>(Object.entries(payload))
  const [sub, sid, tv] = [claims.get('sub'), claims.get('sid'), claims.get('tv')]
  return typeof sub === 'string' && typeof sid === 'string' && typeof tv === 'number' ? { sub, sid, tv } : null
}

/**
 * The identity checks shared by the auth strategies and the auth routes. Created complete before the plugin
 * registry (plugins receive `services` at creation), with the access-token codec (`createJwtCodec`).
 */
export function createIdentityCore(options: {
  knex: Knex
  jwt: JwtCodec
  metrics?: Pick<PlatformMetrics, 'loginFailed'>
}): IdentityCore {
  const db = options.knex
  const { jwt } = options
  const limiter = createLoginLimiter({ db })
  // Refused HTTP Basic logins are counted here (absent: not counted).
  const { metrics } = options

  async function verifyAccessToken(token: string): Promise<Principal | null> {
    if (!JWT_SHAPE.test(token)) return null
    let claims: AccessClaims | null
    try {
      claims = accessClaims(jwt.verify(token))
    } catch {
      claims = null
    }
    if (!claims) throw new AuthenticationFailedError('Access token is invalid or expired')
    const state = await getUserState(db, claims.sub)
    if (!state?.active) throw new AuthenticationFailedError('Account is deactivated')
    if (state.tokenVersion !== claims.tv) throw new AuthenticationFailedError('Access token was revoked')
    if (await isSessionRevoked(db, claims.sid)) throw new AuthenticationFailedError('Session has ended')
    return { ...principalOf(state, 'password'), credentialId: claims.sid }
  }

  async function verifyPassword(input: { email: string; password: string; ip: string }): Promise<Principal | null> {
    try {
      const state = await attemptPasswordLogin({ db, limiter, ...input, via: 'basic', auditSuccess: false, metrics })
      return principalOf(state, 'password')
    } catch (err) {
      if (err instanceof AppError) throw new AuthenticationFailedError(err.message)
      throw err
    }
  }

  return {
    limiter,
    services: { verifyAccessToken, verifyPassword, verifyApiKey: (key) => verifyApiKey(db, key) },
    issueAccessToken: (user, sessionId) => jwt.sign({ sub: user.id, sid: sessionId, tv: user.tokenVersion }),
  }
}
