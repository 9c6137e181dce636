import path from 'node:path'
import { loadConfig } from '../config/load.js'
import { createKnex } from '../core/infra/database.js'
import { createLogger } from '../core/infra/logger.js'
import { setHeapGrowth } from '../core/infra/heap-growth.js'
import { createPlatform, type Platform } from '../core/platform.js'
import { projectPath } from '../core/project-root.js'

/** The anonymization key every benchmark uses, so stored outputs and pseudonyms are comparable across runs. */
const BENCH_ANONYMIZATION_KEY = 'bench-anonymization-key-0123456789abcdef01'

/**
 * The platform a benchmark measures, built by `createPlatform` as `crisp start` builds it (production settings,
 * the plugins file, every built-in plugin, the heap growth), minus what a benchmark drives itself: no HTTP listener, no job
 * workers (the benchmark calls the job code), no first admin, no console. Logs at `warn` and above go to
 * stderr unless `logStream` says otherwise.
 */
export async function benchPlatform(
  databaseUrl: string,
  scratch: string,
  options: { poolMax?: number; logLevel?: string; logStream?: NodeJS.WritableStream } = {},
): Promise<Platform> {
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      LOG_LEVEL: options.logLevel ?? 'warn',
      CRISP_DATA_DIR: path.join(scratch, 'data'),
      DATABASE_URL: databaseUrl,
      CRISP_JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
      CRISP_ANONYMIZATION_KEY: BENCH_ANONYMIZATION_KEY,
      CRISP_ADMIN_SESSION_SECRET: 'bench-admin-session-secret-0123456789abcdef',
      CRISP_SECRETS_KEY: 'bench-secrets-key-0123456789abcdef0123456789',
      CRISP_DOWNLOAD_LINK_SECRET: 'bench-download-link-secret-0123456789abcdef',
      CRISP_PLUGINS_FILE: projectPath('config', 'plugins.json'),
      // The ingestion benchmarks serve their feeds from a local HTTP server.
      CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32',
      // A run may compare another heap growth (e.g. 0, V8's own heuristic) with the default.
      ...(process.env.CRISP_HEAP_GROWTH_PERCENT && {
        CRISP_HEAP_GROWTH_PERCENT: process.env.CRISP_HEAP_GROWTH_PERCENT,
      }),
    },
    projectPath(),
  )
  // As `crisp start` and `crisp worker` do (core/server.ts): the process's heap growth, from the same setting.
  setHeapGrowth(config.heapGrowthPercent)
  const logger = createLogger({ level: config.logLevel, stream: options.logStream ?? process.stderr })
  const knex = createKnex(databaseUrl, { poolMax: options.poolMax ?? 4 })
  return createPlatform({
    config,
    knex,
    databaseUrl,
    logger,
    pluginsBaseDir: projectPath(),
    runWorkers: false,
    firstAdmin: false,
  })
}
