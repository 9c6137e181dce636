import { Type, type Static } from '@sinclair/typebox'
import { signDownload } from '../../../exports/download-link.js'
import { ExportFilter } from '../../../exports/filters.js'
import type { ExportJobRow } from '../../../model/tables.js'
import { literalUnion } from '../../../model/one-of.js'
import { EXPORT_JOB_STATUSES } from '../../../model/vocabularies.js'

const Iso = Type.String({ format: 'date-time' })

export const ExportJobView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  format: Type.String(),
  status: literalUnion(EXPORT_JOB_STATUSES, {
    description: 'succeeded: the file is ready at downloadUrl until expiresAt',
  }),
  filter: ExportFilter,
  options: Type.Record(Type.String(), Type.Unknown()),
  objectsWritten: Type.Integer({ description: 'Progress: objects written so far' }),
  bytesWritten: Type.Integer(),
  error: Type.Optional(Type.String()),
  createdAt: Iso,
  startedAt: Type.Optional(Iso),
  finishedAt: Type.Optional(Iso),
  expiresAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'The download link and the file go away at this time' }),
  ),
  downloadUrl: Type.Optional(Type.String({ description: 'Signed link, usable without a session until expiresAt' })),
})
export type ExportJobView = Static<typeof ExportJobView>

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined)

export function exportJobView(job: ExportJobRow, secret: string): ExportJobView {
  const view: ExportJobView = {
    id: job.id,
    format: job.format,
    status: job.status,
    filter: job.filter,
    options: job.options,
    objectsWritten: Number(job.objects_written),
    bytesWritten: Number(job.bytes_written),
    error: job.error ?? undefined,
    createdAt: new Date(job.created_at).toISOString(),
    startedAt: iso(job.started_at),
    finishedAt: iso(job.finished_at),
    expiresAt: job.status === 'succeeded' ? iso(job.expires_at) : undefined,
  }
  if (job.status === 'succeeded' && job.expires_at) {
    const { expires, token } = signDownload(secret, job.id, new Date(job.expires_at))
    view.downloadUrl = `/api/v1/exports/jobs/${job.id}/download?expires=${expires}&token=${token}`
  }
  return view
}
