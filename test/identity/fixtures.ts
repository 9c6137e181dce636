import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { buildTestApp, type TestLike } from '../helper.js'

/** The identity tests need an anonymization strategy loaded; the fixture one keeps them independent of others' work. */
export const identityPlugins = {
  plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }],
  defaults: { 'anonymization-strategy': 'strip-text' },
}

export function buildIdentityApp(t: TestLike, env: Record<string, string> = {}) {
  return buildTestApp(t, { plugins: identityPlugins, env, runWorkers: false })
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
})

export async function count(knex: Knex, table: string): Promise<number> {
  const [{ n }] = await knex(table).count({ n: '*' })
  return Number(n)
}

/** Logs in and returns both tokens. */
export async function login(app: FastifyInstance, email: string, password: string, ip = '127.0.0.1') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: ip,
  })
  return { res, accessToken: res.json().accessToken as string, refreshToken: res.json().refreshToken as string }
}
