import fp from 'fastify-plugin'
import PgBoss from 'pg-boss'
import { QUEUE_DECLARATIONS, type QueueName } from '../jobs/queues.js'

export type JobHandler = (jobs: PgBoss.Job<Record<string, unknown>>[]) => Promise<unknown>

export interface Jobs {
  boss: PgBoss
  /** True between a successful start and stop: `/readyz` reports it. */
  isRunning(): boolean
  send(queue: QueueName, data: object, options?: PgBoss.SendOptions): Promise<string | null>
  /** Registers a worker if this process runs workers (`crisp start` and `crisp worker`, not API-only nodes). */
  work(queue: QueueName, options: PgBoss.WorkOptions, handler: JobHandler): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: Jobs
  }
}

export interface JobsOptions {
  connectionString: string
  runWorkers: boolean
  /** How often pg-boss expires timed-out jobs (they are then retried); default 120 s. */
  maintenanceIntervalSeconds?: number
}

/**
 * pg-boss in the platform's database, in its own `pgboss` schema. On close it stops gracefully: workers get
 * time to finish; jobs still active afterwards expire and are retried by another worker.
 */
export const jobsPlugin = fp(
  async (app, opts: JobsOptions) => {
    const boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: 'pgboss',
      max: 4,
      application_name: 'crisp-jobs',
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 120,
    })
    boss.on('error', (err) => app.log.error({ err }, 'job queue error'))
    let running = false
    await boss.start()
    running = true
    for (const queue of QUEUE_DECLARATIONS) {
      const existing = await boss.getQueue(queue.name)
      if (existing) await boss.updateQueue(queue.name, queue)
      else await boss.createQueue(queue.name, queue)
    }
    const jobs: Jobs = {
      boss,
      isRunning: () => running,
      send: (queue, data, options) => boss.send(queue, data, options ?? {}),
      work: async (queue, options, handler) => {
        if (opts.runWorkers) await boss.work(queue, options, handler)
      },
    }
    app.decorate('jobs', jobs)
    app.addHook('onClose', async () => {
      running = false
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 })
    })
  },
  { name: 'crisp-jobs' },
)
