import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
/** What a browser on the console's own pages sends (`app.inject` addresses `localhost:80`). */
export const SAME_ORIGIN = { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }

/** A signed-in console: its cookies and the CSRF token the console's pages would send back. */
export interface ConsoleSession {
  cookie: string
  token: string
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie']
  const lines = Array.isArray(raw) ? raw : raw ? [String(raw)] : []
  return Object.fromEntries(
    lines.map((line) => line.split(';')[0].split('=')).map(([name, ...value]) => [name, value.join('=')]),
  )
}

/** Opens the login page for its token cookie, like a browser does before it can post the form. */
export async function loginPageToken(app: FastifyInstance): Promise<string> {
  return cookiesOf(await app.inject('/admin/login'))['XSRF-TOKEN']
}

/**
 * Logs in to the console through its login form, then opens a page to get the session's CSRF token; returns
 * null when the login is refused.
 */
export async function consoleLogin(
  app: FastifyInstance,
  email: string,
  password: string,
): Promise<ConsoleSession | null> {
  const loginToken = await loginPageToken(app)
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { ...FORM, ...SAME_ORIGIN, cookie: `XSRF-TOKEN=${loginToken}` },
    payload: form({ email, password, _csrf: loginToken }),
  })
  if (res.statusCode !== 302) return null
  const session = `crisp_admin=${cookiesOf(res).crisp_admin}`
  const page = await app.inject({ url: '/admin', headers: { cookie: session } })
  const token = cookiesOf(page)['XSRF-TOKEN']
  return { cookie: `${session}; XSRF-TOKEN=${token}`, token }
}

/** The console session of an admin who must get in: a refused login fails the test there. */
export async function signedInConsole(app: FastifyInstance, email: string, password: string): Promise<ConsoleSession> {
  const session = await consoleLogin(app, email, password)
  assert.ok(session, `${email} signs in to the console`)
  return session
}

/** The headers of a console page's own API call: cookies, origin and token. */
export const consoleHeaders = (session: ConsoleSession) => ({
  cookie: session.cookie,
  'x-xsrf-token': session.token,
  ...SAME_ORIGIN,
})

/** Calls a console action the way its forms do (AdminJS's JSON API) and returns the JSON answer. */
export async function consoleAction(
  app: FastifyInstance,
  session: ConsoleSession,
  path: string,
  fields?: Record<string, string>,
) {
  const res = await app.inject({
    method: fields ? 'POST' : 'GET',
    url: `/admin/api/resources/${path}`,
    headers: { ...consoleHeaders(session), ...(fields ? FORM : {}) },
    ...(fields ? { payload: form(fields) } : {}),
  })
  return { status: res.statusCode, json: res.json() }
}
