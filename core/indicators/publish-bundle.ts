import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { enqueuePrefill } from '../sharing/prefill.js'
import { storeObjects, type StoreResult } from '../store/index.js'

/**
 * Stores a published bundle's objects in a collection and enqueues the prefill of their stored anonymization
 * output (core/sharing/prefill.ts) in the same transaction.
 */
export async function publishBundle(opts: {
  db: Knex
  jobs: Pick<Jobs, 'enqueue'>
  collectionId: string
  producerOrgId: string
  objects: readonly unknown[]
}): Promise<StoreResult[]> {
  const { jobs, collectionId, producerOrgId, objects } = opts
  return opts.db.transaction(async (trx) => {
    const results = await storeObjects({ db: trx, collectionId, producerOrgId, objects })
    await enqueuePrefill(trx, jobs, collectionId, results)
    return results
  })
}
