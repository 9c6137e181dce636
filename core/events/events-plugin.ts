import fp from 'fastify-plugin'
import type { EgressConfig } from '../../config/egress.js'
import { createEgressPolicy } from '../plugin-api/egress-policy.js'
import { QUEUES } from '../jobs/queues.js'
import { attemptOf, deliverWebhook, deliveryIdOf } from '../alerts/deliver-webhook.js'
import { isMatchJob } from './match-queue.js'
import { matchEvents } from './match/match-events.js'
import { enforceKeyScope } from './scoped-keys.js'

export interface EventsPluginOptions {
  /** Which addresses webhooks may reach: the same policy as feeds (CRISP_FEED_ALLOW_PRIVATE). */
  egress: Pick<EgressConfig, 'allowPrivate'>
}

/**
 * Security events: scoped API keys are held to their scope on every route; the `events.match` worker matches
 * new events against the intelligence their organization receives, and the `alert.webhook` worker posts new
 * High/Critical alerts (queue policies in core/jobs/queues.ts).
 */
export const eventsPlugin = fp(
  async (app, opts: EventsPluginOptions) => {
    app.addHook('preHandler', enforceKeyScope)
    const shutdown = new AbortController()
    app.addHook('preClose', async () => shutdown.abort(new Error('worker shutting down')))
    // Jobs fetched together are matched together, per organization: a burst of small ingestions shares its
    // passes. A failure retries the whole fetch; the events already matched are skipped the second time.
    await app.jobs.work(QUEUES.eventsMatch, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
      const byOrganization = new Map<string, string[]>()
      for (const job of jobs) {
        const data = job.data
        if (!isMatchJob(data)) throw new Error(`events.match job ${job.id}: not an { organizationId, eventIds } object`)
        byOrganization.set(data.organizationId, [...(byOrganization.get(data.organizationId) ?? []), ...data.eventIds])
      }
      for (const [organizationId, eventIds] of byOrganization) {
        try {
          await matchEvents(
            { knex: app.knex, registry: app.registry, log: app.log, jobs: app.jobs, signal: shutdown.signal },
            { organizationId, eventIds },
          )
        } catch (err) {
          app.log.error({ err, organizationId, events: eventIds.length }, 'event matching failed (retried)')
          throw err
        }
      }
    })
    const policy = createEgressPolicy({ allowPrivate: opts.egress.allowPrivate })
    await app.jobs.work(
      QUEUES.alertWebhook,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 1 },
      async (jobs) => {
        for (const job of jobs) {
          // includeMetadata: the job carries its retry count and limit.
          await deliverWebhook(
            { knex: app.knex, log: app.log, policy, signal: shutdown.signal },
            deliveryIdOf(job.data),
            attemptOf(job),
          )
        }
      },
    )
  },
  { name: 'crisp-events', dependencies: ['crisp-jobs', 'crisp-registry', 'crisp-authentication'] },
)
