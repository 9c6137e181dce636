import { Type, type Static } from '@sinclair/typebox'
import { signDownload } from '../../../exports/download-link.js'
import type { ExportJobRow } from '../../../exports/job-store.js'

export const ExportJobView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  format: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('expired')]),
  filter: Type.Record(Type.String(), Type.String()),
  options: Type.Record(Type.String(), Type.Unknown()),
  objectsWritten: Type.Integer({ description: 'Progress: objects written so far' }),
  bytesWritten: Type.Integer(),
  error: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Optional(Type.String({ format: 'date-time' })),
  finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'The download link and the file go away at this time' })),
  downloadUrl: Type.Optional(Type.String({ description: 'Signed link, usable without a session until expiresAt' })),
})
export type ExportJobView = Static<typeof ExportJobView>

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined)

export function exportJobView(job: ExportJobRow, secret: string): ExportJobView {
  const view: ExportJobView = {
    id: job.id,
    format: job.format,
    status: job.status,
    filter: job.filter as Record<string, string>,
    options: job.options,
    objectsWritten: Number(job.objects_written),
    bytesWritten: Number(job.bytes_written),
    error: job.error ?? undefined,
    createdAt: iso(job.created_at) as string,
    startedAt: iso(job.started_at),
    finishedAt: iso(job.finished_at),
    expiresAt: job.status === 'done' ? iso(job.expires_at) : undefined,
  }
  if (job.status === 'done' && job.expires_at) {
    const { expires, token } = signDownload(secret, job.id, new Date(job.expires_at))
    view.downloadUrl = `/api/v1/exports/jobs/${job.id}/download?expires=${expires}&token=${token}`
  }
  return view
}
