import { createWriteStream } from 'node:fs'
import { open, rename, rm, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import pg from 'pg'
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  ident,
  manifestPath,
  qualified,
  rowLine,
  sha256OfFile,
  type BackupHeader,
  type BackupManifest,
} from './backup-format.js'

/** The schemas a backup holds: the platform's tables and pg-boss's queues, schedules and jobs. */
export const BACKUP_SCHEMAS = ['public', 'pgboss']
const FETCH = 2000

/**
 * Every table of the backed-up schemas except partitions (their rows are read through the partitioned
 * parent, `pgboss.job`), pg-boss's queue list first: a restore must create a queue's partition before its jobs.
 */
export async function listTables(client: pg.ClientBase): Promise<{ schema: string; table: string }[]> {
  const { rows } = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
     ORDER BY (n.nspname = 'pgboss' AND c.relname = 'queue') DESC, n.nspname DESC, c.relname`,
    [BACKUP_SCHEMAS],
  )
  return rows
}

async function columnsOf(client: pg.ClientBase, schema: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
     ORDER BY attnum`,
    [`${ident(schema)}.${ident(table)}`],
  )
  return rows.map((r) => r.name)
}

async function readHeader(client: pg.ClientBase): Promise<BackupHeader> {
  const server = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v
  const database = (await client.query<{ d: string }>('SELECT current_database() AS d')).rows[0].d
  const hasKnex = (
    await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'knex_migrations'`)
  ).rowCount
  const migrations = hasKnex
    ? (await client.query<{ name: string }>('SELECT name FROM knex_migrations ORDER BY id')).rows.map((r) => r.name)
    : []
  const hasBoss = (await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'pgboss' AND tablename = 'version'`))
    .rowCount
  const pgbossVersion = hasBoss
    ? ((await client.query<{ version: number }>('SELECT version FROM pgboss.version')).rows[0]?.version ?? null)
    : null
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: new Date().toISOString(),
    server,
    database,
    migrations,
    pgbossVersion,
  }
}

/**
 * Writes a consistent backup of the database at `url` to `file` (via a temporary file renamed into place once
 * complete and fsynced), then its manifest. One REPEATABLE READ, READ ONLY transaction: every table is read
 * from the same snapshot while the platform keeps running.
 */
export async function dumpDatabase(options: { url: string; file: string }): Promise<BackupManifest> {
  const client = new pg.Client({ connectionString: options.url, application_name: 'crisp-backup' })
  await client.connect()
  const partial = `${options.file}.partial`
  const gzip = createGzip()
  const written = pipeline(gzip, createWriteStream(partial, { mode: 0o600 }))
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain')
  }
  const tables: Record<string, number> = {}
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const header = await readHeader(client)
    await write(`H ${JSON.stringify(header)}\n`)
    for (const { schema, table } of await listTables(client)) {
      const columns = await columnsOf(client, schema, table)
      await write(`T ${JSON.stringify({ schema, table, columns })}\n`)
      const name = qualified(schema, table)
      tables[name] = 0
      await client.query(
        `DECLARE rows NO SCROLL CURSOR FOR SELECT row_to_json(x)::text AS r FROM (SELECT ${columns.map(ident).join(', ')} FROM ${ident(schema)}.${ident(table)}) x`,
      )
      for (;;) {
        const { rows } = await client.query<{ r: string }>(`FETCH ${FETCH} FROM rows`)
        if (!rows.length) break
        await write(rows.map((row) => rowLine(row.r)).join(''))
        tables[name] += rows.length
      }
      await client.query('CLOSE rows')
    }
    const sequences = await client.query<{ schema: string; name: string; value: string }>(
      `SELECT schemaname AS schema, sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = ANY($1) AND last_value IS NOT NULL ORDER BY 1, 2`,
      [BACKUP_SCHEMAS],
    )
    for (const s of sequences.rows) await write(`S ${JSON.stringify(s)}\n`)
    await write(`E ${JSON.stringify({ tables })}\n`)
    await client.query('COMMIT')
    gzip.end()
    await written
    const handle = await open(partial, 'r')
    await handle.sync()
    await handle.close()
    const { sha256, bytes } = await sha256OfFile(partial)
    const manifest: BackupManifest = { ...header, tables, sha256, bytes }
    await rename(partial, options.file)
    await writeFile(`${manifestPath(options.file)}.partial`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
    await rename(`${manifestPath(options.file)}.partial`, manifestPath(options.file))
    return manifest
  } catch (err) {
    gzip.destroy()
    await written.catch(() => undefined)
    await rm(partial, { force: true })
    throw err
  } finally {
    await client.end()
  }
}
