/**
 * `npm run bench:auth`: requests/s of an authenticated GET (/api/v1/users/me) with a JWT and with an API key.
 * Starts an embedded PostgreSQL and the platform on local ports, like `crisp start`, then runs autocannon.
 * BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 20) tune the run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './free-port.js'
import autocannon from 'autocannon'
import { startEmbeddedPostgres } from '../core/infra/embedded-postgres.js'
import { createKnex } from '../core/infra/database.js'
import { loadConfig } from '../config/load.js'
import { createLogger } from '../core/infra/logger.js'
import { createPlatform } from '../core/platform.js'
import { createUser } from '../core/identity/users.js'

const ROOT = path.resolve(import.meta.dirname, '..')
async function main() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-'))
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'pg'),
    port: await freePort(),
    ephemeral: true,
    throwAway: true,
  })
  try {
    const knex = createKnex(pg.adminUrl(), { poolMax: 10 })
    const port = await freePort()
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        CRISP_DATA_DIR: scratch,
        DATABASE_URL: pg.adminUrl(),
        PORT: String(port),
        HOST: '127.0.0.1',
        CRISP_JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
        CRISP_ANONYMIZATION_KEY: 'bench-anonymization-key-0123456789abcdef01',
        CRISP_ADMIN_SESSION_SECRET: 'bench-admin-session-secret-0123456789abcdef',
        CRISP_RATE_LIMIT_AUTHENTICATED: '100000000',
        CRISP_RATE_LIMIT_ANONYMOUS: '100000000',
      },
      ROOT,
    )
    // The anonymization strategy is irrelevant here; a test fixture keeps the bench independent of its plugin.
    config.plugins = {
      plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }],
      defaults: { 'anonymization-strategy': 'strip-text' },
    }
    const platform = await createPlatform({
      config,
      knex,
      databaseUrl: pg.adminUrl(),
      logger: createLogger({ level: 'warn' }),
      pluginsBaseDir: ROOT,
      runWorkers: false,
      firstAdmin: false,
      listen: true,
    })
    const address = `http://127.0.0.1:${port}`
    try {
      const [org] = await knex('organizations').insert({ name: 'Bench' }).returning('id')
      const password = 'Tangerine-Wombat-73!'
      await createUser({
        db: knex,
        actor: null,
        input: { organizationId: org.id, email: 'bench@example.test', role: 'viewer', password },
      })
      const login = await fetch(`${address}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bench@example.test', password }),
      })
      const { accessToken } = (await login.json()) as { accessToken: string }
      const created = await fetch(`${address}/api/v1/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: '{"name":"bench"}',
      })
      const { key } = (await created.json()) as { key: string }

      const duration = Number(process.env.BENCH_DURATION ?? 10)
      const connections = Number(process.env.BENCH_CONNECTIONS ?? 20)
      const run = async (label: string, credential: string) => {
        await autocannon({
          url: `${address}/api/v1/users/me`,
          connections,
          duration: 2,
          headers: { authorization: `Bearer ${credential}` },
        }) // warm-up
        const r = await autocannon({
          url: `${address}/api/v1/users/me`,
          connections,
          duration,
          headers: { authorization: `Bearer ${credential}` },
        })
        if (r.non2xx || r.errors) throw new Error(`${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`)
        console.log(
          `${label.padEnd(8)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms`,
        )
        return r.requests.average
      }
      console.log(
        `GET /api/v1/users/me, ${connections} connections, ${duration} s each, Node ${process.version}, ${os.cpus().length} cores`,
      )
      const jwt = await run('JWT', accessToken)
      const apiKey = await run('API key', key)
      console.log(`API key / JWT = ${((apiKey / jwt) * 100).toFixed(0)}% (goal ≥ 80%)`)
    } finally {
      await platform.close()
    }
  } finally {
    await pg.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
