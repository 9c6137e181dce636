import pg from 'pg'
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js'

/**
 * The database the platform uses: `DATABASE_URL` when set, else an embedded PostgreSQL under the data folder
 * with a `crisp` database created on first start.
 */
export async function resolveDatabase(options: {
  databaseUrl: string | undefined
  dataDir: string
  port: number
  log: (line: string) => void
  /** Supervision of the embedded server (orphans, unexpected stops and restarts); default `log`. */
  warn?: (line: string) => void
}): Promise<{ url: string; embedded?: EmbeddedPostgres }> {
  if (options.databaseUrl) return { url: options.databaseUrl }
  const embedded = await startEmbeddedPostgres({
    dataDir: `${options.dataDir}/postgres`,
    port: options.port,
    log: options.log,
    warn: options.warn,
    supervise: true,
  })
  await ensureDatabase(embedded.adminUrl(), 'crisp')
  return { url: embedded.adminUrl('crisp'), embedded }
}

async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (!rowCount) {
      const ident = (s: string) => `"${s.replace(/"/g, '""')}"`
      await client.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`)
    }
  } finally {
    await client.end()
  }
}
