import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { buildTestApp, type TestLike } from '../helper.js'

export const consolePlugins = {
  plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }],
  defaults: { 'anonymization-strategy': 'strip-text' },
}

/** `buildTestApp` with the admin console mounted (`admin: true`), optionally listening on 127.0.0.1:0. */
export async function buildConsoleApp(
  t: TestLike,
  options: { listen?: boolean; env?: Record<string, string> } = {},
): Promise<{ app: FastifyInstance; knex: Knex; baseUrl: string }> {
  const { app, knex } = await buildTestApp(t, {
    env: options.env,
    plugins: consolePlugins,
    runWorkers: false,
    admin: true,
  })
  const baseUrl = options.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : ''
  return { app, knex, baseUrl }
}
