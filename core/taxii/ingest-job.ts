import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
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

/** Registers the `taxii.ingest` worker (only in processes that run workers). */
export async function registerTaxiiIngestWorker(app: FastifyInstance): Promise<void> {
  await app.jobs.work(QUEUES.taxiiIngest, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) await processPendingStatus(app.knex, String(job.data.statusId))
  })
}
