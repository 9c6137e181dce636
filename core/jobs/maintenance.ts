import fp from 'fastify-plugin'
import { feedMaintenanceTick } from '../feeds/schedule-tick.js'
import { sweepExpiredExports } from '../exports/export-files.js'
import { pruneAnonymizedObjects } from '../sharing/anonymized-store.js'
import { resendUnsentStatuses } from '../taxii/ingest-job.js'
import { deleteExpiredStatuses } from '../taxii/status-store.js'
import { QUEUES } from './queues.js'

/** Stored anonymization output is recomputed after this: bounds what a rotated key or changed level leaves. */
export const ANONYMIZED_OUTPUT_RETENTION_DAYS = 30

/**
 * The per-minute `maintenance` cron (pg-boss keeps one schedule per queue, so every periodic task of the
 * platform runs from this tick): due feed schedules and orphaned runs, expired export files, expired TAXII
 * statuses, TAXII add requests whose job was never sent, old stored anonymization output. Each task runs even when another fails.
 */
export const maintenancePlugin = fp(
  async (app, opts: { dataDir: string }) => {
    const tasks: [string, () => Promise<unknown>][] = [
      ['feeds', () => feedMaintenanceTick(app.feedRuns)],
      ['exports', () => sweepExpiredExports(app.knex, opts.dataDir)],
      ['taxii-statuses', () => deleteExpiredStatuses(app.knex)],
      ['taxii-unsent', () => resendUnsentStatuses(app.knex, app.jobs)],
      ['anonymized-output', () => pruneAnonymizedObjects(app.knex, ANONYMIZED_OUTPUT_RETENTION_DAYS)],
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
