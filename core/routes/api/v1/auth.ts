import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { attemptPasswordLogin } from '../../../identity/login.js'
import { logout } from '../../../identity/logout.js'
import { rotateRefreshToken, startSession } from '../../../identity/sessions.js'
import { getUserState } from '../../../identity/user-state.js'
import { AppError, unauthorized } from '../../../infra/errors.js'
import { actorOf, errorResponses, NoContent, security, SMALL_BODY } from './schemas.js'

const Tokens = Type.Object({
  accessToken: Type.String({ description: 'JWT; send as `Authorization: Bearer …`' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Access token lifetime in seconds' }),
  refreshToken: Type.String({ description: 'Opaque, single use: exchange it at /auth/refresh' }),
  refreshExpiresIn: Type.Integer({ description: 'Refresh token lifetime in seconds' }),
})
const Login = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
)
const Refresh = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
const Logout = Type.Object(
  {
    refreshToken: Type.Optional(
      Type.String({ maxLength: 200, description: 'Also end the session of this refresh token' }),
    ),
    everywhere: Type.Optional(Type.Boolean({ description: 'End every session and token of this user' })),
  },
  { additionalProperties: false },
)

/** The wait a login refusal for too many failures carries in its details (`loginLocked`, core/identity/errors.ts). */
function retryAfterSeconds(details: unknown): number | undefined {
  if (typeof details !== 'object' || details === null || !('retryAfterSeconds' in details)) return undefined
  return typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined
}

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accessTokenTtl, refreshTokenTtl } = app.authConfig
  const tokensFor = async (user: { id: string; tokenVersion: number }, familyId: string, refreshToken: string) => ({
    accessToken: app.identity.issueAccessToken(user, familyId),
    tokenType: 'Bearer' as const,
    expiresIn: accessTokenTtl,
    refreshToken,
    refreshExpiresIn: refreshTokenTtl,
  })

  app.post(
    '/auth/login',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password',
        body: Login,
        response: { 200: Tokens, ...errorResponses },
      },
    },
    async (req, reply) => {
      try {
        const user = await attemptPasswordLogin({
          db: app.knex,
          limiter: app.identity.limiter,
          ...req.body,
          ip: req.ip,
          via: 'login',
          auditSuccess: true,
          metrics: app.metrics,
        })
        const session = await startSession({ db: app.knex, userId: user.id, ttlSeconds: refreshTokenTtl })
        return tokensFor(user, session.familyId, session.refreshToken)
      } catch (err) {
        const retryAfter =
          err instanceof AppError && err.statusCode === 429 ? retryAfterSeconds(err.details) : undefined
        if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
        throw err
      }
    },
  )

  app.post(
    '/auth/refresh',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for new tokens (rotation)',
        body: Refresh,
        response: { 200: Tokens, ...errorResponses },
      },
    },
    async (req) => {
      const rotated = await rotateRefreshToken({
        db: app.knex,
        token: req.body.refreshToken,
        ttlSeconds: refreshTokenTtl,
        ip: req.ip,
      })
      const user = await getUserState(app.knex, rotated.userId)
      if (!user?.active) throw unauthorized('Account is deactivated')
      return tokensFor(user, rotated.familyId, rotated.refreshToken)
    },
  )

  app.post(
    '/auth/logout',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('self:read'),
      // A bare `POST /auth/logout` (no body) is the common case: validate it as `{}`.
      preValidation: async (req) => {
        req.body ??= {}
      },
      schema: {
        tags: ['auth'],
        summary: 'End this session (or every session)',
        security,
        body: Logout,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      await logout(app.knex, actorOf(req), { ...req.body, ip: req.ip })
      return reply.code(204).send(null)
    },
  )
}
