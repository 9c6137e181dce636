import fp from 'fastify-plugin'
import { QUEUES } from '../jobs/queues.js'
import { payloadId } from '../jobs/job-payload.js'
import type { ExportRunJob } from './job-store.js'
import { failExportJob, runExportJob } from './export-worker.js'

export interface ExportsSettings {
  /** Finished export files go to `<dataDir>/exports`. */
  dataDir: string
  /** Key of the download links' HMAC (`CRISP_DOWNLOAD_LINK_SECRET`, never the JWT secret: download-link.ts). */
  downloadSecret: string
}

declare module 'fastify' {
  interface FastifyInstance {
    exportSettings: ExportsSettings
  }
}

/**
 * Export settings for the routes, and the `export.run` worker. A failed attempt is recorded as `failed` and retried by pg-boss (queue policy in
 * core/jobs/queues.ts); the retry starts the export over.
 */
export const exportsPlugin = fp(
  async (app, opts: ExportsSettings) => {
    app.decorate('exportSettings', opts)
    const shutdown = new AbortController()
    app.addHook('preClose', async () => shutdown.abort(new Error('worker shutting down')))
    await app.jobs.work(
      QUEUES.exportRun,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 },
      async (jobs) => {
        for (const job of jobs) {
          const exportJobId = payloadId(job, 'exportJobId' satisfies keyof ExportRunJob)
          // Nothing to run or to mark failed: fail the job so it shows in pg-boss, not as a silent success.
          if (exportJobId === null) throw new Error(`export.run job ${job.id} carries no export job id`)
          const deps = {
            knex: app.knex,
            registry: app.registry,
            dataDir: opts.dataDir,
            signal: shutdown.signal,
            metrics: app.metrics,
          }
          try {
            await runExportJob(deps, exportJobId)
          } catch (err) {
            app.log.error({ err, exportJobId }, 'export job failed')
            // A retry sets the job running again; on shutdown the job stays running until it is retried.
            if (!shutdown.signal.aborted) await failExportJob(app.knex, exportJobId, err)
            throw err
          }
        }
      },
    )
  },
  { name: 'crisp-exports', dependencies: ['crisp-jobs', 'crisp-registry', 'crisp-metrics'] },
)
