import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type PgBoss from 'pg-boss'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import { storeObjects } from '../store/index.js'
import { completeStatus, failPendingStatus } from './pending-status.js'

/**
 * Stores the objects of one pending TAXII add request and completes its status, in one transaction.
 * Idempotent: a retried job finds the status complete (or its objects already stored, hence unchanged).
 */
export async function processPendingStatus(knex: Knex, statusId: string): Promise<void> {
  await knex.transaction(async (trx) => {
    const row = await trx('taxii_statuses').where({ id: statusId }).forUpdate().first('status', 'collection_id', 'organization_id', 'payload', 'pendings')
    if (!row || row.status === 'complete') return
    const results = await storeObjects({ db: trx, collectionId: row.collection_id, producerOrgId: row.organization_id, objects: row.payload ?? [] })
    await completeStatus(trx, statusId, results, row.pendings)
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

/** What a client reads for each object of a request whose job failed for good; the cause goes to the log. */
export const INGEST_FAILED_MESSAGE = 'not stored: the server could not process this add request; send the objects again'

/**
 * Registers the `taxii.ingest` worker and the worker of its dead-letter queue (only in processes that run
 * workers). pg-boss moves a job there once it failed for good, by error or by timeout (core/jobs/queues.ts):
 * its request then ends `complete`, every object still pending a failure, so a polling client finishes.
 */
export async function registerTaxiiIngestWorker(app: FastifyInstance): Promise<void> {
  await app.jobs.work(QUEUES.taxiiIngest, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) await processPendingStatus(app.knex, String(job.data.statusId))
  })
  await app.jobs.work(QUEUES.taxiiIngestDead, { batchSize: 1, includeMetadata: true }, async (jobs) => {
    for (const job of jobs) {
      const statusId = String(job.data.statusId)
      app.log.error({ statusId, cause: (job as PgBoss.JobWithMetadata).output }, 'taxii.ingest failed for good: its pending objects are marked failed')
      await failPendingStatus(app.knex, statusId, INGEST_FAILED_MESSAGE)
    }
  })
}
