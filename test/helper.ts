import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { loadConfig, type Config } from '../config/load.js'
import type { PluginsFile } from '../config/plugins-schema.js'
import { createKnex } from '../core/infra/database.js'
import { createLogger } from '../core/infra/logger.js'
import type { AnyPluginDefinition } from '../core/plugin-api/index.js'
import { createPlatform } from '../core/platform.js'
import { createTestDatabase, dropTestDatabase } from './template.js'

import { ROOT } from './paths.js'
export { ROOT, SHARED } from './paths.js'

/** The parts of tap's `Test` the helpers use. */
export interface TestLike {
  teardown(fn: () => unknown): void
}

function adminUrl(): string {
  const url = process.env.CRISP_TEST_ADMIN_URL
  if (!url) throw new Error('Run tests through `npm test` (it starts PostgreSQL and sets CRISP_TEST_ADMIN_URL)')
  return url
}

/** A fresh database cloned from the migrated template; dropped when the test ends. */
export async function freshDatabase(
  t: TestLike,
  options: { beforeDrop?: () => Promise<unknown> } = {},
): Promise<{ url: string; knex: Knex; onDrop(fn: () => Promise<unknown>): void }> {
  const name = `crisp_t_${randomBytes(6).toString('hex')}`
  const url = await createTestDatabase(adminUrl(), name)
  const knex = createKnex(url, { poolMax: 5 })
  const beforeDrop: (() => Promise<unknown>)[] = options.beforeDrop ? [options.beforeDrop] : []
  t.teardown(async () => {
    for (const fn of beforeDrop) await fn()
    await knex.destroy().catch(() => undefined)
    await dropTestDatabase(adminUrl(), name)
  })
  return { url, knex, onDrop: (fn) => beforeDrop.push(fn) }
}

/** Environment of a test app: fixed secrets, silent logs, defaults for the rest. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    CRISP_JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
    CRISP_ANONYMIZATION_KEY: 'test-anonymization-key-0123456789abcdef012',
    CRISP_ADMIN_SESSION_SECRET: 'test-admin-session-secret-0123456789abcdef',
    CRISP_SECRETS_KEY: 'test-secrets-key-0123456789abcdef0123456789',
    CRISP_DOWNLOAD_LINK_SECRET: 'test-download-link-secret-0123456789abcdef',
    CRISP_PLUGINS_FILE: path.join(ROOT, 'config', 'plugins.json'),
    CRISP_DATA_DIR: path.join(ROOT, '.test-data'),
    // High enough that ordinary tests never meet the limiter; the rate-limit tests lower them.
    CRISP_RATE_LIMIT_AUTHENTICATED: '100000',
    CRISP_RATE_LIMIT_ANONYMOUS: '100000',
    ...overrides,
  }
}

export interface TestApp {
  app: FastifyInstance
  knex: Knex
  config: Config
  databaseUrl: string
  /** Every log line the app wrote, for tests that check what is (not) logged. */
  logs: string[]
}

/**
 * Builds the whole app on a fresh database through `createPlatform`, as `crisp start` does; it listens (on the
 * configured PORT and HOST) only with `listen`, and mounts the console only with `admin`.
 * `plugins` replaces the plugins file; `builtins` the built-in list.
 */
export async function buildTestApp(
  t: TestLike,
  options: {
    env?: Record<string, string>
    plugins?: PluginsFile
    builtins?: readonly AnyPluginDefinition[]
    runWorkers?: boolean
    listen?: boolean
    admin?: boolean
  } = {},
): Promise<TestApp> {
  const { url, knex, onDrop } = await freshDatabase(t)
  const config = loadConfig(testEnv(options.env), ROOT)
  if (options.plugins) config.plugins = options.plugins
  const logs: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString())
      cb()
    },
  })
  const logger = createLogger({ level: config.logLevel, stream })
  const { app } = await createPlatform({
    config,
    knex,
    databaseUrl: url,
    logger,
    builtins: options.builtins,
    pluginsBaseDir: ROOT,
    firstAdmin: false,
    runWorkers: options.runWorkers ?? true,
    listen: options.listen ?? false,
    admin: options.admin ?? false,
  })
  onDrop(() => app.close())
  return { app, knex, config, databaseUrl: url, logs }
}

/** A password every test user can share: it satisfies the password policy. */
export const TEST_PASSWORD = 'Correct-Horse-42-Battery'

export interface TestUser {
  id: string
  orgId: string
  role: 'viewer' | 'publisher' | 'org-admin' | 'admin'
  email: string
  password: string
}

/** Inserts an organization directly (no audit entry) and returns its id. */
export async function createOrg(knex: Knex, name: string): Promise<string> {
  const [row] = await knex('organizations').insert({ name }).returning('id')
  return row.id
}

/** Creates a user through the user service (policy, hash, audit), as an admin would. */
export async function createUser(
  app: FastifyInstance,
  options: { orgId: string; role: TestUser['role']; email?: string; password?: string },
): Promise<TestUser> {
  const { createUser: createUserService } = await import('../core/identity/users.js')
  const email = options.email ?? `${options.role}-${randomBytes(4).toString('hex')}@example.test`
  const password = options.password ?? TEST_PASSWORD
  const user = await createUserService({
    db: app.knex,
    actor: null,
    input: { organizationId: options.orgId, email, role: options.role, password },
  })
  return { id: user.id, orgId: options.orgId, role: options.role, email, password }
}

/** Logs in through `POST /api/v1/auth/login` and returns the access token. */
export async function loginAs(app: FastifyInstance, user: Pick<TestUser, 'email' | 'password'>): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
  if (res.statusCode !== 200) throw new Error(`login as ${user.email} failed: ${res.statusCode} ${res.body}`)
  return res.json().accessToken
}
