import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { isUuid } from '../infra/uuid.js'
import { QUEUES } from '../jobs/queues.js'
import type { ExportJobRow } from '../model/tables.js'
import type { ExportFilter } from './filters.js'

/** Job payload of `export.run`: the export it writes (the row holds everything else). */
export interface ExportRunJob {
  exportJobId: string
}

/** Records a queued export and enqueues its `export.run` job, in one transaction: both commit, or neither. */
export async function createExportJob(opts: {
  knex: Knex
  jobs: Pick<Jobs, 'enqueue'>
  userId: string
  orgId: string
  format: string
  filter: ExportFilter
  options: Record<string, unknown>
}): Promise<ExportJobRow> {
  return opts.knex.transaction(async (trx) => {
    const [row] = await trx('export_jobs')
      .insert({
        user_id: opts.userId,
        organization_id: opts.orgId,
        format: opts.format,
        filter: opts.filter,
        options: opts.options,
      })
      .returning('*')
    await opts.jobs.enqueue(trx, QUEUES.exportRun, { exportJobId: row.id } satisfies ExportRunJob)
    return row
  })
}

/**
 * A job as a reader sees it: a succeeded job whose download window has closed is `expired`, without a file, from
 * that instant on, whether or not the maintenance sweep (export-files.ts) has removed the file yet. Reading
 * changes nothing: only the sweep deletes files and rewrites rows.
 */
function asRead(job: ExportJobRow, now = new Date()): ExportJobRow {
  const expired = job.status === 'succeeded' && job.expires_at !== null && job.expires_at <= now
  return expired ? { ...job, status: 'expired', file_name: null } : job
}

/** The job if it belongs to this user: other users (even of the same organization) get nothing. */
export async function findUserExportJob(knex: Knex, userId: string, id: string): Promise<ExportJobRow | undefined> {
  if (!isUuid(id)) return undefined
  const job = await knex('export_jobs').where({ id, user_id: userId }).first()
  return job && asRead(job)
}

export async function findExportJob(knex: Knex, id: string): Promise<ExportJobRow | undefined> {
  const job = await knex('export_jobs').where({ id }).first()
  return job && asRead(job)
}

export async function updateExportJob(knex: Knex, id: string, patch: Knex.DbRecord<ExportJobRow>): Promise<void> {
  await knex('export_jobs').where({ id }).update(patch)
}

/** Succeeded jobs whose download window has closed, as stored: their file may still be on disk. */
export async function expiredJobs(knex: Knex, limit = 100): Promise<ExportJobRow[]> {
  return knex('export_jobs').where('status', 'succeeded').where('expires_at', '<=', knex.fn.now()).limit(limit)
}
