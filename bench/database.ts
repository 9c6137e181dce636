import path from 'node:path'
import { startEmbeddedPostgres } from '../core/infra/embedded-postgres.js'

/**
 * The database a benchmark runs against: DATABASE_URL when set, else a throw-away embedded PostgreSQL in
 * `scratch` (durable settings, as in use; deleted by `stop`).
 */
export async function benchDatabase(scratch: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined }
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'pg'),
    port: 55000 + Math.floor(Math.random() * 5000),
    ephemeral: false,
    throwAway: true,
  })
  return { url: embedded.adminUrl(), stop: embedded.stop }
}
