import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { FormatRegistry } from '@sinclair/typebox'
import { EnvSchema, type Env } from './env-schema.js'
import { PluginsFileSchema, type PluginsFile } from './plugins-schema.js'
import { resolveSecrets, type Secrets } from './secrets.js'
import { resolveEgress, type EgressConfig } from './egress.js'
import { applySecretFiles } from './secret-files.js'
import { resolveNetwork, type NetworkConfig } from './network.js'
import { errorMessage } from '../core/plugin-api/thrown.js'

export interface Config {
  env: Env['NODE_ENV']
  port: number
  host: string
  publicUrl: string
  databaseUrl: string | undefined
  logLevel: Env['LOG_LEVEL']
  dataDir: string
  embeddedPgPort: number
  /** Connection pool size of the platform's knex (`CRISP_DB_POOL_MAX`). */
  dbPoolMax: number
  /** `CRISP_HEAP_GROWTH_PERCENT`: see core/infra/heap-growth.ts. */
  heapGrowthPercent: number
  /** Audit log retention in days (0 = forever) and the folder entries are archived to before deletion. */
  auditRetention: { days: number; archiveDir: string }
  secrets: Secrets
  /** Which secrets were generated for development just now (logged by name, never their values). */
  generatedSecrets: string[]
  /** Which secrets were read from the development secrets file. */
  fileSecrets: string[]
  auth: { accessTokenTtl: number; refreshTokenTtl: number }
  rateLimit: { authenticated: number; anonymous: number }
  bodyLimit: number
  corsOrigins: string[]
  /** Who may read /docs (Swagger UI and /docs/json), or 'off'. */
  apiDocs: Env['CRISP_API_DOCS']
  pluginsFile: string
  plugins: PluginsFile
  firstAdmin: { email?: string; password?: string }
  /** Feed runs: timeout (= job expiry) and first retry delay in seconds, objects per transaction. */
  feeds: { runTimeout: number; retryDelay: number; batchSize: number; leaseSeconds: number }
  /** Load the demo data at start (`CRISP_DEMO=1`, core/demo). */
  demo: boolean
  /** Where plugins' outbound requests and local files may go. */
  egress: EgressConfig
  /** Scrape token of `/metrics` (`CRISP_METRICS_TOKEN`); a secret, never logged. */
  metricsToken: string | undefined
  /** Where a worker-only process serves `/metrics` (`CRISP_METRICS_PORT`); unset = it does not. */
  metricsPort: number | undefined
  /** Trusted proxies, TLS, allowed hosts and the console's path (config/network.ts). */
  network: NetworkConfig
}

/** Boot refuses to start; `problems` names every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (v) => URL.canParse(v))
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))

/** Env values are strings; empty ones count as unset so `FOO=` in a .env file means "default". */
function cleanEnv(raw: Record<string, string | undefined>): Record<string, string> {
  const known = Object.keys(EnvSchema.properties)
  const out: Record<string, string> = {}
  for (const key of known) {
    const value = raw[key]
    if (value !== undefined && value !== '') out[key] = value
  }
  return out
}

function parseEnv(raw: Record<string, string | undefined>): { env?: Env; problems: string[] } {
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, cleanEnv(raw)))
  if (Value.Check(EnvSchema, converted)) return { env: converted, problems: [] }
  const problems = [...Value.Errors(EnvSchema, converted)].map(
    (e) =>
      `${e.path.slice(1) || '(env)'}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(maskIfSecret(e.path, e.value))})`}`,
  )
  return { problems: dedupeByVariable(problems) }
}

function maskIfSecret(pathName: string, value: unknown): unknown {
  return /SECRET|KEY|PASSWORD|METRICS_TOKEN|DATABASE_URL/.test(pathName) ? '***' : value
}

/** TypeBox may report a union mismatch once per member; one line per variable is enough. */
function dedupeByVariable(problems: string[]): string[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const name = p.split(':')[0]
    if (seen.has(name)) return false
    seen.add(name)
    return true
  })
}

function loadPluginsFile(file: string, problems: string[]): PluginsFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    problems.push(`CRISP_PLUGINS_FILE: cannot read ${file}: ${errorMessage(err)}`)
    return { plugins: [] }
  }
  if (Value.Check(PluginsFileSchema, parsed)) return parsed
  for (const e of Value.Errors(PluginsFileSchema, parsed))
    problems.push(`CRISP_PLUGINS_FILE: ${file}${e.path}: ${e.message}`)
  return { plugins: [] }
}

/**
 * Reads and validates the whole configuration. Throws one {@link ConfigError} listing every problem.
 * `cwd` anchors relative paths (data dir, plugins file).
 */
export function loadConfig(rawEnv: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  // `<NAME>_FILE` fills a secret variable from a file (Docker/compose secrets, systemd credentials) before validation.
  const fromFiles = applySecretFiles(rawEnv)
  const { env, problems } = parseEnv(fromFiles.env)
  problems.unshift(...fromFiles.problems)
  if (!env || problems.length) throw new ConfigError(problems)
  const dataDir = path.resolve(cwd, env.CRISP_DATA_DIR)
  const pluginsFile = path.resolve(cwd, env.CRISP_PLUGINS_FILE)
  const plugins = loadPluginsFile(pluginsFile, problems)
  const secrets = resolveSecrets({ env, dataDir, problems })
  const egress = resolveEgress({ env, cwd, problems })
  const network = resolveNetwork({ env, cwd, problems })
  if (problems.length) throw new ConfigError(problems)
  const publicUrl = (
    env.PUBLIC_URL ??
    `${network.tls ? 'https' : 'http'}://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`
  ).replace(/\/+$/, '')
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    databaseUrl: env.DATABASE_URL,
    logLevel: env.LOG_LEVEL,
    dataDir,
    embeddedPgPort: env.CRISP_EMBEDDED_PG_PORT,
    dbPoolMax: env.CRISP_DB_POOL_MAX,
    heapGrowthPercent: env.CRISP_HEAP_GROWTH_PERCENT,
    auditRetention: {
      days: env.CRISP_AUDIT_RETENTION_DAYS,
      archiveDir: path.resolve(cwd, env.CRISP_AUDIT_ARCHIVE_DIR ?? path.join(dataDir, 'audit-archive')),
    },
    secrets: secrets.values,
    generatedSecrets: secrets.generated,
    fileSecrets: secrets.fromFile,
    auth: { accessTokenTtl: env.CRISP_ACCESS_TOKEN_TTL, refreshTokenTtl: env.CRISP_REFRESH_TOKEN_TTL },
    rateLimit: { authenticated: env.CRISP_RATE_LIMIT_AUTHENTICATED, anonymous: env.CRISP_RATE_LIMIT_ANONYMOUS },
    bodyLimit: env.CRISP_BODY_LIMIT,
    corsOrigins: env.CRISP_CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    apiDocs: env.CRISP_API_DOCS,
    pluginsFile,
    plugins,
    firstAdmin: { email: env.CRISP_ADMIN_EMAIL, password: env.CRISP_ADMIN_PASSWORD },
    feeds: {
      runTimeout: env.CRISP_FEED_RUN_TIMEOUT,
      retryDelay: env.CRISP_FEED_RETRY_DELAY,
      batchSize: env.CRISP_FEED_BATCH_SIZE,
      leaseSeconds: env.CRISP_FEED_LEASE,
    },
    egress,
    metricsToken: env.CRISP_METRICS_TOKEN,
    metricsPort: env.CRISP_METRICS_PORT,
    network,
    demo: env.CRISP_DEMO === '1',
  }
}
