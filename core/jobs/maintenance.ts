import fp from 'fastify-plugin'
import { QUEUES } from './queues.js'

/** One periodic task of the platform (a feature's sweep, due schedules): named in the log when it fails. */
export interface MaintenanceTask {
  name: string
  run: () => Promise<unknown>
}

/**
 * The per-minute `maintenance` cron (pg-boss keeps one schedule per queue, so every periodic task of the
 * platform runs from this tick). The tasks come from the composition root (core/maintenance-tasks.ts): this layer
 * knows the queue, not the features whose sweeps it runs. Each task runs even when another fails. (No task
 * resends jobs: every job is enqueued in the transaction of the row that needs it, core/infra/enqueue.ts.)
 */
export const maintenancePlugin = fp(
  async (app, opts: { tasks: readonly MaintenanceTask[] }) => {
    await app.jobs.work(QUEUES.maintenance, { batchSize: 1 }, async () => {
      for (const task of opts.tasks) {
        try {
          await task.run()
        } catch (err) {
          app.log.error({ err, task: task.name }, 'maintenance task failed')
        }
      }
    })
    await app.jobs.boss.schedule(QUEUES.maintenance, '* * * * *', {}, { tz: 'UTC' })
  },
  { name: 'crisp-maintenance', dependencies: ['crisp-jobs'] },
)
