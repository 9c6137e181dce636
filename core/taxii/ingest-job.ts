import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import { storeObjects } from '../store/index.js'
import { completeStatus } from './status-store.js'

/**
 * Stores the objects of one pending TAXII add request and completes its status, in one transaction.
 * Idempotent: a retried job finds the status complete (or its objects already stored, hence unchanged).
 */
export async function processPendingStatus(knex: Knex, statusId: string): Promise<void> {
  await knex.transaction(async (trx) => {
    const row = await trx('taxii_statuses').where({ id: statusId }).forUpdate().first('status', 'collection_id', 'organization_id', 'payload')
    if (!row || row.status === 'complete') return
    const results = await storeObjects({ db: trx, collectionId: row.collection_id, producerOrgId: row.organization_id, objects: row.payload ?? [] })
    await completeStatus(trx, statusId, results)
  })
}

/** Sends the job of a pending request and records its id (see migration 0012). */
export async function sendIngestJob(knex: Knex, jobs: Pick<Jobs, 'send'>, statusId: string): Promise<void> {
  const jobId = await jobs.send(QUEUES.taxiiIngest, { statusId })
  await knex('taxii_statuses').where({ id: statusId }).update({ job_id: jobId ?? 'unknown' })
}

/** Requests left pending this long without a recorded job are sent again by the maintenance tick. */
export const UNSENT_GRACE_SECONDS = 60

/**
 * Sends the jobs of pending requests whose job was never recorded: the send failed after the status committed,
 * or the process died in between. A job sent twice is harmless (`processPendingStatus` is idempotent).
 */
export async function resendUnsentStatuses(knex: Knex, jobs: Pick<Jobs, 'send'>): Promise<number> {
  const rows = await knex('taxii_statuses')
    .where({ status: 'pending' })
    .whereNull('job_id')
    .andWhere('request_timestamp', '<', knex.raw(`now() - make_interval(secs => ?)`, [UNSENT_GRACE_SECONDS]))
    .orderBy('request_timestamp')
    .limit(100)
    .select('id')
  for (const { id } of rows) await sendIngestJob(knex, jobs, id)
  return rows.length
}

/** Registers the `taxii.ingest` worker (only in processes that run workers). */
export async function registerTaxiiIngestWorker(app: FastifyInstance): Promise<void> {
  await app.jobs.work(QUEUES.taxiiIngest, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) await processPendingStatus(app.knex, String(job.data.statusId))
  })
}
