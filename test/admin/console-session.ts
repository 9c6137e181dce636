import type { FastifyInstance } from 'fastify'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** Logs in to the console through its login form and returns the session cookie (or null when refused). */
export async function consoleLogin(app: FastifyInstance, email: string, password: string): Promise<string | null> {
  const res = await app.inject({ method: 'POST', url: '/admin/login', headers: FORM, payload: form({ email, password }) })
  if (res.statusCode !== 302) return null
  return String(res.headers['set-cookie']).split(';')[0]
}

/** Calls a console action the way its forms do (AdminJS's JSON API) and returns the JSON answer. */
export async function consoleAction(app: FastifyInstance, cookie: string, path: string, fields?: Record<string, string>) {
  const res = await app.inject({
    method: fields ? 'POST' : 'GET',
    url: `/admin/api/resources/${path}`,
    headers: { cookie, ...(fields ? FORM : {}) },
    ...(fields ? { payload: form(fields) } : {}),
  })
  return { status: res.statusCode, json: res.json() as Record<string, any> }
}
