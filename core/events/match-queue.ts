import type { Knex } from 'knex'
import type PgBoss from 'pg-boss'
import { QUEUES, type QueueName } from '../jobs/queues.js'

/** What enqueuing needs of `app.jobs` (see core/infra/jobs.ts). */
export interface JobSender {
  send(queue: QueueName, data: object, options?: PgBoss.SendOptions): Promise<string | null>
}

export interface MatchJob {
  organizationId: string
  eventIds: string[]
}

/** Events per matching job: one pass over the organization's shared intelligence matches them all. */
export const MATCH_BATCH = 1000

interface PgConnection {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>
}

/**
 * pg-boss sends its INSERT on the transaction's own connection (a knex transaction client hands out that one
 * connection), so the job commits or rolls back with the events. Its SQL uses `$n` placeholders, which knex's
 * `raw` would not take.
 */
async function inTransaction(trx: Knex.Transaction) {
  const connection = (await (trx.client as { acquireConnection(): Promise<PgConnection> }).acquireConnection()) as PgConnection
  return { executeSql: (text: string, values: unknown[]) => connection.query(text, values) }
}

/** Sends one job through the caller's transaction. */
export async function sendInTransaction(trx: Knex.Transaction, jobs: JobSender, queue: QueueName, data: object): Promise<void> {
  await jobs.send(queue, data, { db: await inTransaction(trx) } as PgBoss.SendOptions)
}

/** Enqueues the matching of the events, in the caller's transaction. */
export async function enqueueMatching(trx: Knex.Transaction, jobs: JobSender, organizationId: string, eventIds: readonly string[]): Promise<void> {
  for (let start = 0; start < eventIds.length; start += MATCH_BATCH) {
    const data: MatchJob = { organizationId, eventIds: eventIds.slice(start, start + MATCH_BATCH) }
    await sendInTransaction(trx, jobs, QUEUES.eventsMatch, data)
  }
}
