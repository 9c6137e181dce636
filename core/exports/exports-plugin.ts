import fp from 'fastify-plugin'
import { QUEUES } from '../jobs/queues.js'
import { failExportJob, runExportJob } from './export-worker.js'

export interface ExportsSettings {
  /** Finished export files go to `<dataDir>/exports`. */
  dataDir: string
  /** Key of the download links' HMAC (the platform's JWT secret). */
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
    await app.jobs.work(QUEUES.exportRun, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs) {
        const { exportJobId } = job.data as { exportJobId: string }
        const deps = { knex: app.knex, registry: app.registry, dataDir: opts.dataDir, signal: shutdown.signal, metrics: app.metrics }
        try {
          await runExportJob(deps, exportJobId)
        } catch (err) {
          app.log.error({ err, exportJobId }, 'export job failed')
          // A retry sets the job running again; on shutdown the job stays running until it is retried.
          if (!shutdown.signal.aborted) await failExportJob(app.knex, exportJobId, err)
          throw err
        }
      }
    })
  },
  { name: 'crisp-exports', dependencies: ['crisp-jobs', 'crisp-registry', 'crisp-metrics'] },
)
