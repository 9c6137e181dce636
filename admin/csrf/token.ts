import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/**
 * Where the console's CSRF token travels. AdminJS talks to its API through axios, which copies the
 * `XSRF-TOKEN` cookie into an `X-XSRF-TOKEN` header on every same-origin request; the login page is a plain
 * HTML form, so it sends the token as a form field instead (see `form-script.ts`).
 */
export const CSRF_COOKIE = 'XSRF-TOKEN'
export const CSRF_HEADER = 'x-xsrf-token'
export const CSRF_FIELD = '_csrf'

const TOKEN_FORMAT = /^[\w-]{43}$/

/**
 * The token a console request must present. Signed in, it is derived from the session id: bound to that
 * session, so a cookie planted by another port of the same host (cookies do not tell ports apart) is of no use.
 * Before login there is no session: double submit, the request's own cookie (or a fresh one when it has none).
 */
export function csrfTokenFor(req: FastifyRequest, secret: string): string {
  if (req.session.get('adminUser')) {
    return createHmac('sha256', secret).update(`crisp-console-csrf:${req.session.sessionId}`).digest('base64url')
  }
  const cookie = req.cookies[CSRF_COOKIE]
  return cookie && TOKEN_FORMAT.test(cookie) ? cookie : randomBytes(32).toString('base64url')
}

/** The token the request presents: the header, or the field of a urlencoded form (the login form). */
export function presentedToken(req: FastifyRequest): string | undefined {
  const header = req.headers[CSRF_HEADER]
  if (typeof header === 'string') return header
  const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]
  return typeof field === 'string' ? field : undefined
}

export function sameToken(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || presented.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(presented), Buffer.from(expected))
}
