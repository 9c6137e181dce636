import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Knex } from 'knex'
import { expiredJobs, updateExportJob } from './job-store.js'

/** How long a finished export can be downloaded; its file is removed afterwards. */
export const EXPORT_DOWNLOAD_TTL_MS = 24 * 60 * 60 * 1000

export const exportDir = (dataDir: string) => path.join(dataDir, 'exports')

/** The file of a job: named by the job id only, never by anything the caller chose. */
export function exportFilePath(dataDir: string, jobId: string, extension: string): string {
  return path.join(exportDir(dataDir), `${jobId}.${extension.replace(/[^a-z0-9]/gi, '')}`)
}

/** The exports folder, owner-only when this creates it. */
export async function ensureExportDir(dataDir: string): Promise<void> {
  await mkdir(exportDir(dataDir), { recursive: true, mode: 0o700 })
}

/**
 * Removes the files of expired exports and marks their jobs `expired`: the per-minute maintenance task
 * (core/maintenance-tasks.ts), and nothing else, so a file outlives its link by at most a minute. Readers do not
 * wait for it: job-store.ts reports a job expired from its `expires_at` on.
 */
export async function sweepExpiredExports(knex: Knex, dataDir: string): Promise<number> {
  const jobs = await expiredJobs(knex)
  for (const job of jobs) {
    if (job.file_name) await rm(path.join(exportDir(dataDir), path.basename(job.file_name)), { force: true })
    await updateExportJob(knex, job.id, { status: 'expired', file_name: null })
  }
  return jobs.length
}
