import type { Knex } from 'knex'
import type { ExportFilter } from './filters.js'

export type ExportJobStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired'

export interface ExportJobRow {
  id: string
  user_id: string
  organization_id: string
  format: string
  filter: ExportFilter
  options: Record<string, unknown>
  status: ExportJobStatus
  objects_written: string
  bytes_written: string
  file_name: string | null
  error: string | null
  created_at: Date
  started_at: Date | null
  finished_at: Date | null
  expires_at: Date | null
}

/**
 * Records a queued export, then sends its job. pg-boss sends on its own connection, so the send follows the
 * commit; if it fails the row is marked failed at once rather than left queued forever.
 */
export async function createExportJob(opts: {
  knex: Knex
  userId: string
  orgId: string
  format: string
  filter: ExportFilter
  options: Record<string, unknown>
  enqueue(jobId: string): Promise<unknown>
}): Promise<ExportJobRow> {
  const [row] = (await opts.knex('export_jobs')
    .insert({ user_id: opts.userId, organization_id: opts.orgId, format: opts.format, filter: opts.filter, options: opts.options })
    .returning('*')) as ExportJobRow[]
  try {
    await opts.enqueue(row.id)
  } catch (err) {
    await updateExportJob(opts.knex, row.id, { status: 'failed', error: 'the export could not be queued', finished_at: opts.knex.fn.now() })
    throw err
  }
  return row
}

/** The job if it belongs to this user: other users (even of the same organization) get nothing. */
export async function findUserExportJob(knex: Knex, userId: string, id: string): Promise<ExportJobRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined
  return knex('export_jobs').where({ id, user_id: userId }).first()
}

export const findExportJob = (knex: Knex, id: string): Promise<ExportJobRow | undefined> => knex('export_jobs').where({ id }).first()

export async function updateExportJob(knex: Knex, id: string, patch: Partial<Record<keyof ExportJobRow, unknown>>): Promise<void> {
  await knex('export_jobs').where({ id }).update(patch)
}

/** Finished jobs whose download window has closed but whose file may still be on disk. */
export async function expiredJobs(knex: Knex, limit = 100): Promise<ExportJobRow[]> {
  return knex('export_jobs').where('status', 'done').where('expires_at', '<=', knex.fn.now()).limit(limit)
}
