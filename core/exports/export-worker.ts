import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Knex } from 'knex'
import type { PluginRegistry } from '../registry/registry.js'
import { ensureExportDir, EXPORT_DOWNLOAD_TTL_MS, exportFilePath } from './export-files.js'
import { toSharedFilter } from './filters.js'
import { findExportJob, updateExportJob } from './job-store.js'
import { findExporter, resolveOptions, runExport, type RunExportOptions } from './run-export.js'

const PROGRESS_EVERY_MS = 1000

export interface ExportWorkerDeps {
  knex: Knex
  registry: PluginRegistry
  dataDir: string
  signal: AbortSignal
  metrics?: RunExportOptions['metrics']
}

/**
 * Runs one export job into `<dataDir>/exports/<job id>.<ext>`, storing progress (objects written) about once a
 * second. Idempotent: a retried job starts over and overwrites its file. The export runs with the requesting
 * user's current organization and role, so anonymization is what that user would get on a direct download.
 */
export async function runExportJob(deps: ExportWorkerDeps, jobId: string): Promise<void> {
  const { knex } = deps
  const job = await findExportJob(knex, jobId)
  if (!job || job.status === 'succeeded' || job.status === 'expired') return
  const user = await knex('users').where({ id: job.user_id }).first('role', 'organization_id')
  if (!user)
    return updateExportJob(knex, jobId, {
      status: 'failed',
      error: 'the requesting user no longer exists',
      finished_at: knex.fn.now(),
    })
  const exporter = findExporter(deps.registry, job.format)
  const file = exportFilePath(deps.dataDir, jobId, exporter.fileExtension)
  await updateExportJob(knex, jobId, {
    status: 'running',
    started_at: knex.fn.now(),
    objects_written: '0',
    bytes_written: '0',
    error: null,
  })
  await ensureExportDir(deps.dataDir)
  const run = runExport({
    knex,
    registry: deps.registry,
    principal: { orgId: user.organization_id, role: user.role },
    exporter,
    filter: toSharedFilter(job.filter),
    options: resolveOptions(exporter, job.options),
    metrics: deps.metrics,
  })
  let bytes = 0
  let last = Date.now()
  const progress = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length
      if (Date.now() - last < PROGRESS_EVERY_MS) return cb(null, chunk)
      last = Date.now()
      updateExportJob(knex, jobId, { objects_written: String(run.objectsRead()), bytes_written: String(bytes) }).then(
        () => cb(null, chunk),
        cb,
      )
    },
  })
  try {
    // Owner-only: the file holds what this user may see, and is served only through its signed link.
    await pipeline(Readable.from(run.chunks), progress, createWriteStream(file, { mode: 0o600 }), {
      signal: deps.signal,
    })
  } catch (err) {
    await rm(file, { force: true })
    throw err
  }
  await updateExportJob(knex, jobId, {
    status: 'succeeded',
    objects_written: String(run.objectsRead()),
    bytes_written: String(bytes),
    file_name: path.basename(file),
    finished_at: knex.fn.now(),
    expires_at: new Date(Date.now() + EXPORT_DOWNLOAD_TTL_MS),
  })
}

/** Records a failure the job will not recover from (after pg-boss's last retry, or a refused filter). */
export async function failExportJob(knex: Knex, jobId: string, err: unknown): Promise<void> {
  const message = err instanceof Error && 'statusCode' in err ? err.message : 'the export failed'
  await updateExportJob(knex, jobId, { status: 'failed', error: message, finished_at: knex.fn.now() })
}
