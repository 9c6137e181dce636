import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import { displayableId, screenObject, type StoreResult } from '../store/index.js'
import type { StatusDetail } from './status-resource.js'
import { objectLabel, summarize } from './status-store.js'

/** An add request too large to store while the client waits. */
export interface PendingRequest {
  collectionId: string
  principal: Principal
  objects: unknown[]
}

/**
 * A request left to the `taxii.ingest` job: the objects wait in the status row's jsonb payload until the job
 * stores them. Objects that break an input limit are refused here, their failures recorded at once: jsonb can
 * hold neither a NUL nor a lone surrogate, and the job must not meet what the store would refuse anyway.
 * `pendings` name the waiting objects in payload order, with their index in the request.
 */
export async function insertPendingStatus(db: Knex, input: PendingRequest): Promise<string> {
  const failures: StatusDetail[] = []
  const pendings: StatusDetail[] = []
  const texts: string[] = []
  input.objects.forEach((object, index) => {
    const screening = screenObject(object, index)
    if (!screening.ok) {
      failures.push({ id: screening.id ?? objectLabel(index), message: screening.message })
      return
    }
    pendings.push({ id: displayableId(object) ?? objectLabel(index) })
    texts.push(screening.form?.text ?? JSON.stringify(object))
  })
  const [row] = await db('taxii_statuses')
    .insert({
      collection_id: input.collectionId,
      organization_id: input.principal.orgId,
      user_id: input.principal.userId,
      status: 'pending',
      total_count: input.objects.length,
      failure_count: failures.length,
      pending_count: pendings.length,
      failures: JSON.stringify(failures),
      pendings: JSON.stringify(pendings),
      payload: `[${texts.join(',')}]`,
    })
    .returning('id')
  return row.id
}

/** Marks a pending request complete with the job's results (added to the failures found at submission) and drops its payload. */
export async function completeStatus(
  trx: Knex.Transaction,
  id: string,
  results: StoreResult[],
  pendings: readonly StatusDetail[],
): Promise<void> {
  const { successes, failures } = summarize(results, pendings)
  await trx('taxii_statuses')
    .where({ id })
    .update({
      status: 'complete',
      success_count: successes.length,
      failure_count: trx.raw('failure_count + ?', [failures.length]),
      pending_count: 0,
      successes: JSON.stringify(successes),
      failures: trx.raw('failures || ?::jsonb', [JSON.stringify(failures)]),
      pendings: '[]',
      payload: null,
    })
}

// Every pending object becomes a failure carrying the reason, in request order.
const FAIL_PENDING = `
UPDATE taxii_statuses SET
  status = 'complete',
  failures = failures || coalesce((
    SELECT jsonb_agg(p.detail || jsonb_build_object('message', ?::text) ORDER BY p.ord)
    FROM jsonb_array_elements(pendings) WITH ORDINALITY AS p(detail, ord)), '[]'::jsonb),
  failure_count = failure_count + pending_count, pending_count = 0, pendings = '[]', payload = NULL
WHERE id = ? AND status = 'pending'`

/** Ends a request whose job failed for good: every object still pending is a failure with `message`. Idempotent. */
export async function failPendingStatus(db: Knex, id: string, message: string): Promise<void> {
  await db.raw(FAIL_PENDING, [message, id])
}
