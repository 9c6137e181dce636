import { createGzip } from 'node:zlib'
import { mkdir, open } from 'node:fs/promises'
import path from 'node:path'
import type { Knex } from 'knex'

export interface AuditRetention {
  /** Entries older than this many days are archived, then deleted; 0 keeps everything. */
  days: number
  /** Folder of the archive files, one gzipped NDJSON file per UTC day of archiving. */
  archiveDir: string
}

/** Entries archived and deleted per transaction. */
const BATCH = 5000

/** Any constant: two maintenance runs never archive the same entries at once. */
const RETENTION_LOCK = 0x63726973

const gzip = (text: string) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    const z = createGzip()
    z.on('data', (c: Buffer) => chunks.push(c))
    z.on('end', () => resolve(Buffer.concat(chunks)))
    z.on('error', reject)
    z.end(text)
  })

/** Appends one gzip member (a gzip file may hold many) and fsyncs file and folder before returning. */
async function appendDurably(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'a')
  try {
    await handle.write(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  const dir = await open(path.dirname(file), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/**
 * Archives audit entries older than the retention, then deletes them, one batch per transaction: the batch is
 * read and locked, written to `audit-YYYY-MM-DD.ndjson.gz` (one JSON object per line, exactly as stored) and
 * fsynced, and only then deleted through `audit_log_purge` (migrations/0062), the one road around the
 * append-only trigger. If the delete fails after the write, the next run archives those entries again: an entry
 * may appear twice in the archive, never zero times. Returns how many entries were archived and deleted.
 */
export async function archiveExpiredAudit(knex: Knex, retention: AuditRetention, now = new Date()): Promise<number> {
  if (retention.days <= 0) return 0
  const cutoff = new Date(now.getTime() - retention.days * 86_400_000)
  const file = path.join(retention.archiveDir, `audit-${now.toISOString().slice(0, 10)}.ndjson.gz`)
  await mkdir(retention.archiveDir, { recursive: true })
  let total = 0
  for (;;) {
    const moved = await knex.transaction(async (trx) => {
      const lock = await trx.raw<{ rows: { locked: boolean }[] }>('SELECT pg_try_advisory_xact_lock(?) AS locked', [
        RETENTION_LOCK,
      ])
      if (!lock.rows[0]?.locked) return 0
      const { rows } = await trx.raw<{ rows: { id: string; line: string }[] }>(
        'SELECT id, to_jsonb(a)::text AS line FROM audit_log a WHERE at < ? ORDER BY id LIMIT ? FOR UPDATE',
        [cutoff, BATCH],
      )
      if (!rows.length) return 0
      await appendDurably(file, await gzip(rows.map((r) => `${r.line}\n`).join('')))
      const deleted = await trx.raw<{ rows: { count: string }[] }>('SELECT audit_log_purge(?::bigint[]) AS count', [
        rows.map((r) => r.id),
      ])
      return Number(deleted.rows[0]?.count ?? 0)
    })
    total += moved
    if (moved < BATCH) return total
  }
}
