import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { loadConfig } from '../../config/load.js'
import { buildApp } from '../../core/app.js'
import { createIdentityCore } from '../../core/identity/identity-core.js'
import { createLogger } from '../../core/infra/logger.js'
import { createRegistry } from '../../core/registry/registry.js'
import { builtinPlugins } from '../../plugins/index.js'
import { freshDatabase, ROOT, testEnv, type TestLike } from '../helper.js'

export const consolePlugins = {
  plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }],
  defaults: { 'anonymization-strategy': 'strip-text' },
}

/** Like `buildTestApp`, with the admin console mounted (`admin: true`), optionally listening on 127.0.0.1:0. */
export async function buildConsoleApp(t: TestLike, options: { listen?: boolean; env?: Record<string, string> } = {}): Promise<{ app: FastifyInstance; knex: Knex; baseUrl: string }> {
  const { url, knex, onDrop } = await freshDatabase(t)
  const config = loadConfig(testEnv(options.env), ROOT)
  config.plugins = consolePlugins
  const logs: string[] = []
  const logger = createLogger({ level: config.logLevel, stream: new Writable({ write: (chunk, _e, cb) => (logs.push(String(chunk)), cb()) }) })
  const identity = createIdentityCore({ knex })
  const registry = await createRegistry({
    builtins: builtinPlugins,
    pluginsFile: config.plugins,
    baseDir: ROOT,
    log: logger,
    secrets: { anonymizationKey: config.secrets.anonymizationKey },
    services: { identity: identity.services },
  })
  const app = await buildApp({ config, knex, databaseUrl: url, registry, identity, runWorkers: false, logger, admin: true })
  onDrop(() => app.close())
  await app.ready()
  const baseUrl = options.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : ''
  return { app, knex, baseUrl }
}
