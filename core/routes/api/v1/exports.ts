import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { downloadLinkInvalid, exportJobNotFound, exportNotReady } from '../../../exports/errors.js'
import { exportDir } from '../../../exports/export-files.js'
import { ExportFilter, FILTER_PARAMETERS, toSharedFilter } from '../../../exports/filters.js'
import { createExportJob, findExportJob, findUserExportJob } from '../../../exports/job-store.js'
import { attachmentName, findExporter, resolveOptions, runExport } from '../../../exports/run-export.js'
import { verifyDownload } from '../../../exports/download-link.js'
import { exportJobView, ExportJobView } from './export-job-view.js'
import { actorOf, errorResponses, security, SMALL_BODY } from './schemas.js'

const FormatParams = Type.Object({
  format: Type.String({
    pattern: '^[a-z0-9][a-z0-9.-]{0,63}$',
    description: 'Export format, e.g. stix-bundle, csv, misp, blocklist, suricata',
  }),
})
// Filters plus any exporter option (e.g. blocklist `kind`): options are checked against the exporter's schema.
const StreamQuery = Type.Object(ExportFilter.properties, { additionalProperties: Type.String({ maxLength: 200 }) })
const CreateBody = Type.Object(
  {
    format: FormatParams.properties.format,
    filter: Type.Optional(ExportFilter),
    options: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 200 }), {
        description: "Exporter options, e.g. { kind: 'domain' }",
      }),
    ),
  },
  { additionalProperties: false },
)
const DownloadQuery = Type.Object({ expires: Type.Integer(), token: Type.String({ maxLength: 100 }) })
const FileBody = Type.Unknown({ description: "The export file, in the exporter's media type" })
const JobParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['exports']
  const settings = () => app.exportSettings

  app.get(
    '/exports/:format',
    {
      preHandler: requirePermission('exports:run'),
      schema: {
        tags,
        summary: 'Stream an export of the objects you may see, anonymized for your organization',
        security,
        params: FormatParams,
        querystring: StreamQuery,
        response: { 200: FileBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = actorOf(req)
      const exporter = findExporter(app.registry, req.params.format)
      const query: Record<string, string | undefined> = req.query
      const filter = toSharedFilter(Object.fromEntries(Object.entries(query).filter(([k]) => FILTER_PARAMETERS.has(k))))
      const options = resolveOptions(
        exporter,
        Object.fromEntries(Object.entries(query).filter(([k]) => !FILTER_PARAMETERS.has(k))),
      )
      const { chunks } = runExport({
        knex: app.knex,
        registry: app.registry,
        principal,
        exporter,
        filter,
        options,
        metrics: app.metrics,
      })
      reply.header('content-type', exporter.mediaType)
      reply.header('content-disposition', `attachment; filename="${attachmentName(exporter)}"`)
      reply.header('cache-control', 'no-store')
      return reply.send(Readable.from(chunks))
    },
  )

  app.post(
    '/exports',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('exports:run'),
      schema: {
        tags,
        summary: 'Run a large export as a background job',
        security,
        body: CreateBody,
        response: { 202: ExportJobView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const principal = actorOf(req)
      const exporter = findExporter(app.registry, req.body.format)
      const filter = req.body.filter ?? {}
      toSharedFilter(filter)
      const options = resolveOptions(exporter, req.body.options ?? {})
      const job = await createExportJob({
        knex: app.knex,
        jobs: app.jobs,
        userId: principal.userId,
        orgId: principal.orgId,
        format: exporter.format,
        filter,
        options,
      })
      return reply
        .code(202)
        .header('location', `/api/v1/exports/jobs/${job.id}`)
        .send(exportJobView(job, settings().downloadSecret))
    },
  )

  app.get(
    '/exports/jobs/:id',
    {
      preHandler: requirePermission('exports:run'),
      schema: {
        tags,
        summary: 'Status of one of your export jobs, with a download link once it succeeded',
        security,
        params: JobParams,
        response: { 200: ExportJobView, ...errorResponses },
      },
    },
    async (req) => {
      const job = await findUserExportJob(app.knex, actorOf(req).userId, req.params.id)
      if (!job) throw exportJobNotFound()
      return exportJobView(job, settings().downloadSecret)
    },
  )

  app.get(
    '/exports/jobs/:id/download',
    {
      schema: {
        tags,
        summary: 'Download a finished export (signed, expiring link; no session needed)',
        params: JobParams,
        querystring: DownloadQuery,
        response: { 200: FileBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { id } = req.params
      if (!verifyDownload(settings().downloadSecret, id, req.query.expires, req.query.token))
        throw downloadLinkInvalid()
      const job = await findExportJob(app.knex, id)
      if (!job || job.status === 'expired') throw downloadLinkInvalid()
      if (job.status !== 'succeeded' || !job.file_name) throw exportNotReady()
      const exporter = findExporter(app.registry, job.format)
      const file = path.join(exportDir(settings().dataDir), path.basename(job.file_name))
      const { size } = await stat(file)
      reply.header('content-type', exporter.mediaType)
      reply.header('content-length', size)
      reply.header('content-disposition', `attachment; filename="${attachmentName(exporter, job.created_at)}"`)
      return reply.send(createReadStream(file))
    },
  )
}
