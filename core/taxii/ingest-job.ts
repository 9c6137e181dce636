import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import { storeObjects } from '../store/index.js'
import { enqueuePrefill } from '../sharing/prefill.js'
import type { PlatformMetrics } from '../infra/metrics.js'
import { completeStatus, failPendingStatus, insertPendingStatus, type PendingRequest } from './pending-status.js'
import { statusDetails } from './status-resource.js'

/**
 * Stores the objects of one pending TAXII add request and completes its status, in one transaction.
 * Idempotent: a retried job finds the status complete (or its objects already stored, hence unchanged).
 */
export async function processPendingStatus(
  knex: Knex,
  statusId: string,
  metrics?: Pick<PlatformMetrics, 'objectsIngested'>,
  jobs?: Pick<Jobs, 'enqueue'>,
): Promise<void> {
  const stored = await knex.transaction(async (trx) => {
    const row = await trx('taxii_statuses')
      .where({ id: statusId })
      .forUpdate()
      .first('status', 'collection_id', 'organization_id', 'payload', 'pendings')
    if (!row || row.status === 'complete') return []
    const objects = Array.isArray(row.payload) ? row.payload : []
    const results = await storeObjects({
      db: trx,
      collectionId: row.collection_id,
      producerOrgId: row.organization_id,
      objects,
    })
    if (jobs) await enqueuePrefill(trx, jobs, row.collection_id, results)
    await completeStatus(trx, statusId, results, statusDetails('pendings', row.pendings))
    return results
  })
  metrics?.objectsIngested('taxii', stored)
}

/** Job payload of `taxii.ingest`: the pending request it stores (the status row holds the objects). */
interface TaxiiIngestJob {
  statusId: string
}

/**
 * Records a request left to the `taxii.ingest` job and enqueues that job, in one transaction: a pending status
 * always has its job, and a job always finds its status. Returns the status id.
 */
export async function queuePendingRequest(
  knex: Knex,
  jobs: Pick<Jobs, 'enqueue'>,
  input: PendingRequest,
): Promise<string> {
  return knex.transaction(async (trx) => {
    const statusId = await insertPendingStatus(trx, input)
    await jobs.enqueue(trx, QUEUES.taxiiIngest, { statusId } satisfies TaxiiIngestJob)
    return statusId
  })
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
    for (const job of jobs) await processPendingStatus(app.knex, String(job.data.statusId), app.metrics, app.jobs)
  })
  await app.jobs.work(QUEUES.taxiiIngestDead, { batchSize: 1, includeMetadata: true }, async (jobs) => {
    for (const job of jobs) {
      const statusId = String(job.data.statusId)
      // includeMetadata: pg-boss hands the dead job with the output of its last failed attempt.
      app.log.error(
        { statusId, cause: 'output' in job ? job.output : undefined },
        'taxii.ingest failed for good: its pending objects are marked failed',
      )
      await failPendingStatus(app.knex, statusId, INGEST_FAILED_MESSAGE)
    }
  })
}
