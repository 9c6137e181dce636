import type PgBoss from 'pg-boss'
import pg from 'pg'
import { errorCode } from './errors.js'

/** SQLSTATEs and socket codes of a lost or refused connection: the server restarts, fails over or is unreachable. */
const CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
])
const CONNECTION_MESSAGES =
  /Connection terminated|terminating connection|the database system is (shutting down|starting up|in recovery mode)|Client has encountered a connection error|connect ECONNREFUSED/i

/** True for an error that says "the database is (momentarily) unreachable", not "this statement is wrong". */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = errorCode(err)
  return (code !== undefined && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGES.test(err.message)
}

export interface ResilientJobsDb extends PgBoss.Db {
  /** After this, statements are dropped: never sent, never answered (see {@link createResilientJobsDb}). */
  close(): Promise<void>
}

export interface ResilientJobsDbOptions {
  connectionString: string
  max: number
  applicationName: string
  /** Called once when the database becomes unreachable, and once when it answers again. */
  onOutage(err: Error): void
  onRecovered(): void
  /** A pool error on an idle client (the server closed it): logged, the pool replaces the client. */
  onIdleError(err: Error): void
}

const dropped = () => new Promise<never>(() => undefined)

/**
 * pg-boss's database, with connection losses waited out. pg-boss 10 completes and fails jobs without awaiting
 * the promise (manager.js): when PostgreSQL restarts, that rejection is unhandled and ends the process. Here a
 * statement that meets a lost connection is retried, with backoff, until the database answers again — so a
 * job's completion reaches the database after the restart instead of crashing the worker. Every pg-boss
 * statement is safe to repeat: at worst a job fetched twice is retried after it expires (handlers are idempotent).
 *
 * After `close()`, a statement (a worker that outlived the graceful stop completing or failing its job) is
 * dropped: its promise never settles. An error would be an unhandled rejection, and an empty answer crashes
 * pg-boss where it reads `rows[0]` (`fail`): both end the process. The job it concerned expires and is retried.
 */
export function createResilientJobsDb(options: ResilientJobsDbOptions): ResilientJobsDb {
  // allowExitOnIdle: a client still connecting when the pool ends must not keep the process alive.
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    allowExitOnIdle: true,
  })
  pool.on('error', (err) => options.onIdleError(err))
  let closed = false
  let inFlight = 0
  let down = false
  const wake = new Set<() => void>()
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        wake.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      wake.add(done)
    })
  return {
    async executeSql(text, values) {
      for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
        if (closed) return dropped()
        inFlight++
        try {
          const result = await pool.query(text, values).finally(() => inFlight--)
          if (down) {
            down = false
            options.onRecovered()
          }
          return { rows: result.rows }
        } catch (err) {
          if (closed) return dropped()
          if (!(err instanceof Error && isConnectionError(err))) throw err
          if (!down) {
            down = true
            options.onOutage(err)
          }
          await pause(delay)
        }
      }
    },
    async close() {
      closed = true
      for (const done of [...wake]) done()
      // Ending the pool under queries still queued for a client leaves that client open (and the process
      // alive): let the statements in flight finish first (they are short), for at most a few seconds.
      for (const deadline = Date.now() + 5000; inFlight > 0 && Date.now() < deadline;)
        await new Promise((r) => setTimeout(r, 20))
      await pool.end()
    },
  }
}
