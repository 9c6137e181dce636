import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config/load.js'
import { QUEUES } from '../jobs/queues.js'
import { hasMetadata, payloadId } from '../jobs/job-payload.js'
import type { StoreObjects } from './store-port.js'
import type { RunQueueContext, FeedPullJob } from './run-queue.js'
import { leaseSeconds, runFeed } from './run-feed.js'
import { failAbandonedRun } from './run-state.js'
import { sweepSeconds, takeOverExpiredRuns } from './run-takeover.js'
import type { SecretBox } from '../infra/secret-box.js'
import { resealFeedSecrets } from './secrets-at-rest.js'
import { errorMessage } from '../infra/errors.js'

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
 * Feed jobs: the `feed.pull` worker (due schedules are enqueued by the maintenance tick, core/maintenance-tasks.ts),
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
    const ctx = {
      knex: app.knex,
      registry: app.registry,
      storeObjects: opts.storeObjects,
      feeds: opts.feeds,
      log: app.log,
      metrics: app.metrics,
      secrets: opts.secrets,
      jobs: app.jobs,
    }

    await app.jobs.work(
      QUEUES.feedPull,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 },
      async (jobs) => {
        for (const job of jobs) {
          const runId = payloadId(job, 'runId' satisfies keyof FeedPullJob)
          // Failing the job sends it to the dead letter like any failed attempt; nothing else can end a run it does not name.
          if (runId === null || !hasMetadata(job))
            throw new Error(`feed.pull job ${job.id} carries no run id or no retry metadata`)
          await runFeed(ctx, runId, { retryCount: job.retryCount, retryLimit: job.retryLimit }, shutdown.signal)
        }
      },
    )
    // A job dead-lettered without its run ending (its worker was killed on the last attempt): end the run.
    await app.jobs.work(QUEUES.feedPullDead, { batchSize: 1, includeMetadata: true }, async (jobs) => {
      for (const job of jobs) {
        const runId = payloadId(job, 'runId' satisfies keyof FeedPullJob)
        if (runId === null) continue
        const error = `gave up after the job's last retry (dead-lettered): ${JSON.stringify(hasMetadata(job) ? (job.output ?? null) : null).slice(0, 300)}`
        if (await failAbandonedRun(app.knex, runId, error)) {
          app.metrics.feedRunFinished('failed')
          app.log.error({ runId }, 'feed run dead-lettered; marked failed')
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
  const timer = setInterval(
    () => {
      if (sweeping || stop.aborted) return
      sweeping = true
      takeOverExpiredRuns({ knex: queue.knex, jobs: queue.jobs, log: app.log })
        .catch((err: unknown) =>
          app.log.warn(
            { err: { message: errorMessage(err) } },
            'feed run takeover sweep failed; retrying at the next one',
          ),
        )
        .finally(() => (sweeping = false))
    },
    sweepSeconds(lease) * 1000,
  )
  timer.unref()
  stop.addEventListener('abort', () => clearInterval(timer), { once: true })
}
