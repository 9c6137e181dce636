import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { isUuid } from '../infra/uuid.js'
import { QUEUES } from '../jobs/queues.js'
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

/** Job payload of `export.run`: the export it writes (the row holds everything else). */
interface ExportRunJob {
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
    const [row] = (await trx('export_jobs')
      .insert({ user_id: opts.userId, organization_id: opts.orgId, format: opts.format, filter: opts.filter, options: opts.options })
      .returning('*')) as ExportJobRow[]
    await opts.jobs.enqueue(trx, QUEUES.exportRun, { exportJobId: row.id } satisfies ExportRunJob)
    return row
  })
}

/** The job if it belongs to this user: other users (even of the same organization) get nothing. */
export async function findUserExportJob(knex: Knex, userId: string, id: string): Promise<ExportJobRow | undefined> {
  if (!isUuid(id)) return undefined
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
