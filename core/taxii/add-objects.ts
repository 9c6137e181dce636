import type { Knex } from 'knex'
import { AppError } from '../infra/errors.js'
import type { Jobs } from '../infra/jobs.js'
import type { PlatformMetrics } from '../infra/metrics.js'
import type { Principal } from '../plugin-api/index.js'
import { storeObjects } from '../store/index.js'
import { enqueuePrefill } from '../sharing/prefill.js'
import { queuePendingRequest } from './ingest-job.js'
import type { StatusResource } from './status-resource.js'
import { findStatus, insertCompleteStatus } from './status-store.js'

/** Objects larger requests are handed to the `taxii.ingest` job above this many. */
const ASYNC_INGEST_THRESHOLD = 1000

export interface AddObjectsDeps {
  knex: Knex
  jobs: Pick<Jobs, 'enqueue'>
  metrics: Pick<PlatformMetrics, 'objectsIngested'>
}

export interface AddObjectsRequest {
  collectionId: string
  principal: Principal
  /** The parsed request body, checked here to be an envelope. */
  envelope: unknown
}

/** The `objects` list of a TAXII envelope; anything else is refused (422). */
function envelopeObjects(envelope: unknown): unknown[] {
  if (
    typeof envelope === 'object' &&
    envelope !== null &&
    !Array.isArray(envelope) &&
    'objects' in envelope &&
    Array.isArray(envelope.objects)
  )
    return envelope.objects
  throw new AppError(
    422,
    'CRISP_TAXII_NOT_AN_ENVELOPE',
    'The body must be a TAXII envelope: an object with an "objects" list',
  )
}

/** Stores the objects and their complete status in one transaction; counted once committed. */
async function storeNow(
  deps: AddObjectsDeps,
  input: { collectionId: string; principal: Principal; objects: unknown[] },
): Promise<string> {
  const { statusId, results } = await deps.knex.transaction(async (trx) => {
    const results = await storeObjects({
      db: trx,
      collectionId: input.collectionId,
      producerOrgId: input.principal.orgId,
      objects: input.objects,
    })
    await enqueuePrefill(trx, deps.jobs, input.collectionId, results)
    return {
      statusId: await insertCompleteStatus(trx, {
        collectionId: input.collectionId,
        principal: input.principal,
        results,
      }),
      results,
    }
  })
  deps.metrics.objectsIngested('taxii', results)
  return statusId
}

/**
 * A TAXII add request (§5.5): small requests are stored while the client waits, larger ones are left to the
 * `taxii.ingest` job. Either way the answer is the request's status resource (complete, or pending).
 */
export async function addObjects(deps: AddObjectsDeps, input: AddObjectsRequest): Promise<StatusResource> {
  const objects = envelopeObjects(input.envelope)
  const request = { collectionId: input.collectionId, principal: input.principal, objects }
  const statusId =
    objects.length > ASYNC_INGEST_THRESHOLD
      ? await queuePendingRequest(deps.knex, deps.jobs, request)
      : await storeNow(deps, request)
  const status = await findStatus(deps.knex, statusId, input.principal.orgId)
  if (!status) throw new Error(`TAXII status ${statusId} was not found right after it was written`)
  return status
}
