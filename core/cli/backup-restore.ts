import pg from 'pg'
import PgBoss from 'pg-boss'
import type { Knex } from 'knex'
import { createKnex, migrationCounts, migrationsCurrent } from '../infra/database.js'
import { migrationSource } from '../../migrations/index.js'
import { ident, qualified, readBackup, verifyBackup, type BackupManifest, type TableHeader } from './backup-format.js'

/** Written by migrations and pg-boss's start, not by the restore: compared, not loaded. */
const SCHEMA_BOOKKEEPING = new Set(['public.knex_migrations', 'public.knex_migrations_lock', 'pgboss.version'])
/** Rows a fresh migration seeds: their presence does not make a database "non-empty". */
const SEEDED = new Set([...SCHEMA_BOOKKEEPING, 'public.trust_levels'])
const BATCH_ROWS = 1000
const BATCH_BYTES = 4 * 1024 * 1024

/** Tables of the target that hold rows a restore would replace; empty means the target is empty. */
async function occupiedTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  )
  const occupied: string[] = []
  for (const { schema, table } of rows) {
    if (SEEDED.has(qualified(schema, table))) continue
    const hit = await client.query(`SELECT 1 FROM ${ident(schema)}.${ident(table)} LIMIT 1`)
    if (hit.rowCount) occupied.push(qualified(schema, table))
  }
  return occupied
}

/** Brings the target's schema to the backup's migration, one migration at a time. */
async function migrateTo(knex: Knex, wanted: string[]): Promise<void> {
  const known = (await migrationSource.getMigrations([])).map(([name]) => name)
  if (wanted.some((name, i) => known[i] !== name)) {
    throw new Error(
      `the backup's schema (${wanted.at(-1) ?? 'none'}) is not one this CRISP knows: restore it with the CRISP version that made it`,
    )
  }
  for (;;) {
    if ((await migrationCounts(knex)).applied >= wanted.length) return
    await knex.migrate.up()
  }
}

/** The `name` of a `pgboss.queue` row as the backup holds it (row_to_json text). */
function queueName(row: string): string {
  const value: unknown = JSON.parse(row)
  const name = typeof value === 'object' && value !== null && 'name' in value ? value.name : undefined
  if (typeof name !== 'string') throw new Error('a pgboss.queue row of the backup has no name')
  return name
}

async function insertBatch(client: pg.Client, table: TableHeader, rows: string[]): Promise<void> {
  const target = `${ident(table.schema)}.${ident(table.table)}`
  const cols = table.columns.map(ident).join(', ')
  if (table.schema === 'pgboss' && table.table === 'queue') {
    // create_queue makes each queue's job partition; the row's other fields are then restored as they were.
    for (const row of rows) await client.query('SELECT pgboss.create_queue($1, $2::json)', [queueName(row), '{}'])
    await client.query(
      `UPDATE pgboss.queue q SET (${cols}) = (SELECT ${table.columns.map((c) => `r.${ident(c)}`).join(', ')})
       FROM json_populate_recordset(NULL::pgboss.queue, $1::json) r WHERE q.name = r.name`,
      [`[${rows.join(',')}]`],
    )
    return
  }
  await client.query(
    `INSERT INTO ${target} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM json_populate_recordset(NULL::${target}, $1::json)`,
    [`[${rows.join(',')}]`],
  )
}

/**
 * Loads every row of the backup in ONE transaction (all or nothing), with triggers and foreign-key checks off
 * for the load (`session_replication_role = replica`: the rows come from one consistent snapshot), sets the
 * sequences, and compares every table's row count with the manifest before committing.
 */
async function loadRows(client: pg.Client, file: string, manifest: BackupManifest): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query('SET LOCAL session_replication_role = replica')
    let table: TableHeader | undefined
    let batch: string[] = []
    let bytes = 0
    const flush = async () => {
      if (table && batch.length) await insertBatch(client, table, batch)
      batch = []
      bytes = 0
    }
    for await (const line of readBackup(file)) {
      if (line.kind === 'T') {
        await flush()
        table = SCHEMA_BOOKKEEPING.has(qualified(line.table.schema, line.table.table)) ? undefined : line.table
        if (table) await client.query(`DELETE FROM ${ident(table.schema)}.${ident(table.table)}`)
      } else if (line.kind === 'R' && table) {
        batch.push(line.row)
        bytes += line.row.length
        if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush()
      } else if (line.kind === 'S') {
        await flush()
        await client.query('SELECT setval($1::regclass, $2::bigint, true)', [
          `${ident(line.sequence.schema)}.${ident(line.sequence.name)}`,
          line.sequence.value,
        ])
      }
    }
    await flush()
    for (const [name, rows] of Object.entries(manifest.tables)) {
      const [schema, tableName] = name.split('.')
      const { rows: found } = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${ident(schema)}.${ident(tableName)}`,
      )
      if (Number(found[0].n) !== rows)
        throw new Error(`after loading, ${name} holds ${found[0].n} rows; the backup holds ${rows}`)
    }
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}

export interface RestoreResult {
  tables: number
  rows: number
}

/**
 * Restores `file` into the database at `url`. The backup is verified first (manifest, SHA-256, a full read),
 * so a damaged file is refused before anything is touched; a database holding data is refused unless `force`,
 * which drops the `public` and `pgboss` schemas first. Then: migrations up to the backup's, pg-boss's schema,
 * the rows in one transaction, the remaining migrations, and a final check that the schema is current.
 */
export async function restoreDatabase(options: { url: string; file: string; force: boolean }): Promise<RestoreResult> {
  const manifest = await verifyBackup(options.file)
  const client = new pg.Client({ connectionString: options.url, application_name: 'crisp-restore' })
  await client.connect()
  try {
    const running = await client.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'crisp%'`,
    )
    if (running.rowCount)
      throw new Error('a CRISP process is connected to the target database: stop the platform before restoring')
    const occupied = await occupiedTables(client)
    if (occupied.length && !options.force) {
      throw new Error(
        `the target database is not empty (${occupied.slice(0, 5).join(', ')}${occupied.length > 5 ? ', …' : ''} hold rows): restore into an empty database, or pass --force to replace its contents`,
      )
    }
    if (options.force)
      await client.query(
        'DROP SCHEMA IF EXISTS pgboss CASCADE; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public',
      )
    const knex = createKnex(options.url, { poolMax: 2 })
    try {
      await migrateTo(knex, manifest.migrations)
      if (manifest.pgbossVersion !== null) {
        const boss = new PgBoss({
          connectionString: options.url,
          schema: 'pgboss',
          supervise: false,
          schedule: false,
          max: 2,
        })
        await boss.start()
        await boss.stop({ graceful: false, wait: true })
        const { rows } = await client.query<{ version: number }>('SELECT version FROM pgboss.version')
        if (rows[0]?.version !== manifest.pgbossVersion)
          throw new Error(
            `pg-boss schema ${rows[0]?.version} here, ${manifest.pgbossVersion} in the backup: restore with the CRISP version that made it`,
          )
      }
      await loadRows(client, options.file, manifest)
      await knex.migrate.latest()
      if (!(await migrationsCurrent(knex))) throw new Error('migrations are not current after the restore')
    } finally {
      await knex.destroy()
    }
    return {
      tables: Object.keys(manifest.tables).length,
      rows: Object.values(manifest.tables).reduce((a, b) => a + b, 0),
    }
  } finally {
    await client.end()
  }
}
