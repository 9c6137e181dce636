import fp from 'fastify-plugin'
import { QUEUES } from '../jobs/queues.js'
import { AnonymizedWriter } from './anonymized-store.js'
import { isPrefillJob, prefillCollection } from './prefill.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The write-behind queue of this app's stored anonymization output (pass it to `readSharedPage`). */
    anonymizedOutput: AnonymizedWriter
  }
}

/**
 * One write-behind queue per app, on the app's database; what is queued is written before the app closes. The
 * `anonymize.prefill` worker fills the stored output of newly ingested objects ahead of their first reader, a
 * bounded batch per job (prefill.ts), one job at a time per process.
 */
export const anonymizedOutputPlugin = fp(
  async (app) => {
    const onError = (err: unknown) =>
      app.log.warn({ err }, 'anonymized output not stored (it is recomputed on its next read)')
    const writer = new AnonymizedWriter(app.knex, onError)
    app.decorate('anonymizedOutput', writer)
    // preClose runs before any onClose hook: a running prefill stops between pages while the job queue and
    // the pools are still open, so its job is failed (and retried) cleanly instead of outliving them.
    const closing = new AbortController()
    app.addHook('preClose', async () => {
      closing.abort()
      await writer.flush()
    })
    await app.jobs.work(QUEUES.anonymizePrefill, { batchSize: 1 }, async (jobs) => {
      for (const job of jobs) {
        if (!isPrefillJob(job.data)) throw new Error(`anonymize.prefill job ${job.id}: not a { collectionId } object`)
        await prefillCollection(
          { knex: app.knex, registry: app.registry, jobs: app.jobs, onError },
          job.data.collectionId,
          { signal: closing.signal },
        )
      }
    })
  },
  { name: 'crisp-anonymized-output', dependencies: ['crisp-database', 'crisp-jobs', 'crisp-registry'] },
)
