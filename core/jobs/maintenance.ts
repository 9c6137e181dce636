import fp from 'fastify-plugin'
import { enqueueDueFeeds } from '../feeds/schedule-tick.js'
import { sweepExpiredExports } from '../exports/export-files.js'
import { pruneAnonymizedObjects } from '../sharing/anonymized-store.js'
import { deleteExpiredStatuses } from '../taxii/status-store.js'
import { purgeExpiredTokens } from '../identity/purge-tokens.js'
import { archiveExpiredAudit, type AuditRetention } from '../audit/retention.js'
import { QUEUES } from './queues.js'

/** Stored anonymization output is recomputed after this: bounds what a rotated key or changed level leaves. */
export const ANONYMIZED_OUTPUT_RETENTION_DAYS = 30

/**
 * The per-minute `maintenance` cron (pg-boss keeps one schedule per queue, so every periodic task of the
 * platform runs from this tick): due feed schedules, expired export files, expired TAXII
 * statuses, old stored anonymization output. Each task runs even when another fails. (No task resends jobs:
 * every job is enqueued in the transaction of the row that needs it, core/infra/enqueue.ts.)
 */
export const maintenancePlugin = fp(
  async (app, opts: { dataDir: string; auditRetention?: AuditRetention; accessTokenTtl?: number }) => {
    const tasks: [string, () => Promise<unknown>][] = [
      ['feeds', () => enqueueDueFeeds(app.feedRuns)],
      ['exports', () => sweepExpiredExports(app.knex, opts.dataDir)],
      ['taxii-statuses', () => deleteExpiredStatuses(app.knex)],
      ['anonymized-output', () => pruneAnonymizedObjects(app.knex, ANONYMIZED_OUTPUT_RETENTION_DAYS)],
      ['expired-tokens', () => purgeExpiredTokens(app.knex, { graceSeconds: opts.accessTokenTtl ?? 3600 })],
      ['audit-retention', async () => opts.auditRetention && archiveExpiredAudit(app.knex, opts.auditRetention)],
    ]
    await app.jobs.work(QUEUES.maintenance, { batchSize: 1 }, async () => {
      for (const [name, task] of tasks) {
        try {
          await task()
        } catch (err) {
          app.log.error({ err, task: name }, 'maintenance task failed')
        }
      }
    })
    await app.jobs.boss.schedule(QUEUES.maintenance, '* * * * *', {}, { tz: 'UTC' })
  },
  { name: 'crisp-maintenance', dependencies: ['crisp-jobs', 'crisp-feeds', 'crisp-exports'] },
)
