import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type PgBoss from 'pg-boss'
import type { Config } from '../../config/load.js'
import { QUEUES } from '../jobs/queues.js'
import type { StoreObjects } from './store-port.js'
import type { RunQueueContext, FeedPullJob } from './run-queue.js'
import { leaseSeconds, runFeed } from './run-feed.js'
import { failAbandonedRun } from './run-state.js'
import { sweepSeconds, takeOverExpiredRuns } from './run-takeover.js'
import type { SecretBox } from '../infra/secret-box.js'
import { resealFeedSecrets } from './secrets-at-rest.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** What feed services need to queue runs (REST, CLI, admin console). */
    feedRuns: RunQueueContext
    /** Seals and opens feed secrets at rest (`CRISP_SECRETS_KEY`): the feed services take it in their context. */
    feedSecrets: SecretBox
  }
}

export interface FeedsPluginOptions {
  feeds: Config['feeds']
  storeObjects: StoreObjects
  secrets: SecretBox
}

/**
 * Feed jobs: the `feed.pull` worker (due schedules are enqueued by the maintenance tick, core/jobs/maintenance.ts),
 * the worker of its dead letter (a run whose job failed for good ends `failed`), and in worker processes a sweep
 * that takes over runs whose lease expired (core/feeds/run-takeover.ts). Active runs are aborted when the app
 * closes (they go back to `queued` and are retried elsewhere).
 */
export const feedsPlugin = fp(
  async (app, opts: FeedsPluginOptions) => {
    const queue: RunQueueContext = { knex: app.knex, jobs: app.jobs }
    app.decorate('feedRuns', queue)
    app.decorate('feedSecrets', opts.secrets)
    await sealClearSecrets(app, opts.secrets)
    const shutdown = new AbortController()
    app.addHook('preClose', async () => shutdown.abort(new Error('worker shutting down')))
    const ctx = { knex: app.knex, registry: app.registry, storeObjects: opts.storeObjects, feeds: opts.feeds, log: app.log, metrics: app.metrics, secrets: opts.secrets }

    await app.jobs.work(QUEUES.feedPull, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs as unknown as PgBoss.JobWithMetadata<FeedPullJob>[]) {
        await runFeed(ctx, job.data.runId, { retryCount: job.retryCount, retryLimit: job.retryLimit }, shutdown.signal)
      }
    })
    // A job dead-lettered without its run ending (its worker was killed on the last attempt): end the run.
    await app.jobs.work(QUEUES.feedPullDead, { batchSize: 1, includeMetadata: true }, async (jobs) => {
      for (const job of jobs as unknown as PgBoss.JobWithMetadata<FeedPullJob>[]) {
        const error = `gave up after the job's last retry (dead-lettered): ${JSON.stringify(job.output ?? null).slice(0, 300)}`
        if (await failAbandonedRun(app.knex, job.data.runId, error)) {
          app.metrics.feedRunFinished('failed')
          app.log.error({ runId: job.data.runId }, 'feed run dead-lettered; marked failed')
        }
      }
    })
    if (app.jobs.runsWorkers) startTakeoverSweep(app, queue, leaseSeconds(opts.feeds), shutdown.signal)
  },
  { name: 'crisp-feeds', dependencies: ['crisp-jobs', 'crisp-registry', 'crisp-metrics'] },
)

/** Feeds saved before secrets were sealed at rest get sealed at start (a migration has no key): idempotent. */
async function sealClearSecrets(app: FastifyInstance, box: SecretBox): Promise<void> {
  const { sealed, unreadable } = await resealFeedSecrets({ knex: app.knex, box, mode: 'clear' })
  if (sealed) app.log.info({ feeds: sealed }, 'feed secrets stored in clear were encrypted (CRISP_SECRETS_KEY)')
  for (const err of unreadable) app.log.error({ feedId: err.feed.id, path: err.path }, err.message)
}

/** Every half lease, queue again the runs whose worker died; stops when the app closes. */
function startTakeoverSweep(app: FastifyInstance, queue: RunQueueContext, lease: number, stop: AbortSignal): void {
  let sweeping = false
  const timer = setInterval(() => {
    if (sweeping || stop.aborted) return
    sweeping = true
    takeOverExpiredRuns({ knex: queue.knex, jobs: queue.jobs, log: app.log })
      .catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'feed run takeover sweep failed; retrying at the next one'))
      .finally(() => (sweeping = false))
  }, sweepSeconds(lease) * 1000)
  timer.unref()
  stop.addEventListener('abort', () => clearInterval(timer), { once: true })
}
