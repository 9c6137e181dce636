import fp from 'fastify-plugin'
import type PgBoss from 'pg-boss'
import type { Config } from '../../config/load.js'
import { QUEUES } from '../jobs/queues.js'
import type { StoreObjects } from './store-port.js'
import type { RunQueueContext, FeedPullJob } from './run-queue.js'
import { runFeed } from './run-feed.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** What feed services need to queue runs (REST, CLI, admin console). */
    feedRuns: RunQueueContext
  }
}

export interface FeedsPluginOptions {
  feeds: Config['feeds']
  storeObjects: StoreObjects
}

/**
 * Feed jobs: the `feed.pull` worker (due schedules are enqueued by the maintenance tick, core/jobs/maintenance.ts).
 * Active runs are aborted when the app closes (they go back to `queued` and are retried elsewhere).
 */
export const feedsPlugin = fp(
  async (app, opts: FeedsPluginOptions) => {
    const queue: RunQueueContext = { knex: app.knex, jobs: app.jobs, feeds: opts.feeds }
    app.decorate('feedRuns', queue)
    const shutdown = new AbortController()
    app.addHook('preClose', async () => shutdown.abort(new Error('worker shutting down')))
    const ctx = { knex: app.knex, registry: app.registry, storeObjects: opts.storeObjects, feeds: opts.feeds, log: app.log }

    await app.jobs.work(QUEUES.feedPull, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs as unknown as PgBoss.JobWithMetadata<FeedPullJob>[]) {
        await runFeed(ctx, job.data.runId, { retryCount: job.retryCount, retryLimit: job.retryLimit }, shutdown.signal)
      }
    })
  },
  { name: 'crisp-feeds', dependencies: ['crisp-jobs', 'crisp-registry'] },
)
