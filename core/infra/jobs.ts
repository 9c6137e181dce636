import fp from 'fastify-plugin'
import PgBoss from 'pg-boss'
import type { QueueDeclaration, QueueName } from '../jobs/queues.js'
import { createEnqueue, type Enqueue } from './enqueue.js'
import { errorCode, errorMessage } from './errors.js'
import { createResilientJobsDb, isConnectionError } from './jobs-db.js'

export type JobHandler = (jobs: PgBoss.Job<Record<string, unknown>>[]) => Promise<unknown>

export interface Jobs {
  boss: PgBoss
  /** True between a successful start and stop: `/readyz` reports it. */
  isRunning(): boolean
  /** Adds a job in the caller's transaction (core/infra/enqueue.ts): the job commits or rolls back with it. */
  enqueue: Enqueue
  /** True in processes that run workers (`crisp start`, `crisp worker`): they also run the workers' timers. */
  runsWorkers: boolean
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
  /** Every queue with its policy (core/jobs/queues.ts), created or updated at start. */
  queues: readonly QueueDeclaration[]
  /** How often pg-boss expires timed-out jobs (they are then retried); default 120 s. */
  maintenanceIntervalSeconds?: number
}

/**
 * Creates the queues, or brings existing ones to their declared policy: jobs take their retry, expiry,
 * retention and dead letter from their queue, so a changed setting applies to every job sent afterwards.
 */
export async function declareQueues(boss: PgBoss, queues: readonly QueueDeclaration[]): Promise<void> {
  for (const queue of queues) {
    // Nodes starting together on a fresh database race to create the same queues (pg-boss's create_queue
    // then deadlocks or meets the other's row): the loser tries again and finds the queue.
    for (let attempt = 1; ; attempt++) {
      try {
        if (await boss.getQueue(queue.name)) await boss.updateQueue(queue.name, queue)
        else await boss.createQueue(queue.name, queue)
        break
      } catch (err) {
        const code = errorCode(err)
        if (attempt >= 5 || (code !== '40P01' && code !== '23505')) throw err
        await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100))
      }
    }
  }
}

/**
 * pg-boss in the platform's database, in its own `pgboss` schema, on a connection pool that waits out a
 * database restart (core/infra/jobs-db.ts): no pg-boss error ends the process, connection losses are logged
 * as warnings, and workers, schedules and job bookkeeping resume when the database answers again. On close
 * it stops gracefully: workers get time to finish; jobs still active afterwards expire and are retried by
 * another worker. The app closes this plugin before the database pool (fastify runs `onClose` hooks in
 * reverse order of registration), and the embedded PostgreSQL only after both.
 */
export const jobsPlugin = fp(
  async (app, opts: JobsOptions) => {
    const db = createResilientJobsDb({
      connectionString: opts.connectionString,
      max: 4,
      applicationName: 'crisp-jobs',
      onOutage: (err) =>
        app.log.warn(
          { err: { message: err.message, code: errorCode(err) } },
          'job queue lost its database connection; waiting for it',
        ),
      onRecovered: () => app.log.info('job queue reconnected to the database'),
      onIdleError: (err) =>
        app.log.warn({ err: { message: err.message } }, 'job queue: an idle database connection was closed'),
    })
    const boss = new PgBoss({
      db,
      schema: 'pgboss',
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 120,
    })
    let stopping = false
    boss.on('error', (err) => {
      // Connection losses are expected during a restart or failover (and at shutdown): they are waited out.
      if (stopping || isConnectionError(err))
        app.log.warn({ err: { message: err.message } }, 'job queue: database unreachable')
      else app.log.error({ err }, 'job queue error')
    })
    let running = false
    await boss.start()
    running = true
    await declareQueues(boss, opts.queues)
    app.log.info({ workers: opts.runWorkers }, 'job queue started')
    const jobs: Jobs = {
      boss,
      isRunning: () => running,
      enqueue: createEnqueue(boss),
      runsWorkers: opts.runWorkers,
      work: async (queue, options, handler) => {
        if (opts.runWorkers) await boss.work(queue, options, handler)
      },
    }
    app.decorate('jobs', jobs)
    app.addHook('onClose', async () => {
      running = false
      stopping = true
      // With the database down, pg-boss's last bookkeeping would wait for it forever: give up after the grace
      // period (the jobs still active expire and are retried); closing the pool answers what still waits.
      const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())
      try {
        await Promise.race([boss.stop({ graceful: true, wait: true, timeout: 10_000 }), gaveUp])
      } catch (err) {
        app.log.warn(
          { err: { message: errorMessage(err) } },
          'job queue: stopped with an error (its active jobs expire and are retried)',
        )
      } finally {
        await db.close()
      }
    })
  },
  { name: 'crisp-jobs' },
)
