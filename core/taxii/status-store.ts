import type { Knex } from 'knex'
import type { TaxiiStatusRow } from '../model/tables.js'
import type { Principal } from '../plugin-api/index.js'
import type { StoreResult } from '../store/index.js'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import { isUuid } from '../infra/uuid.js'
import { statusDetails, type StatusDetail, type StatusResource } from './status-resource.js'

/** How an object without a usable id is named in a status: by its index in the request. */
export const objectLabel = (index: number) => `(object ${index})`

/** Successes and failures of store results; `labels` name objects without an id (default: their index). */
export function summarize(results: readonly StoreResult[], labels?: readonly StatusDetail[]) {
  const successes: StatusDetail[] = []
  const failures: StatusDetail[] = []
  for (const r of results) {
    const id = r.id ?? labels?.[r.index]?.id ?? objectLabel(r.index)
    if (r.status === 'rejected')
      failures.push({ id, ...(r.version ? { version: r.version } : {}), message: r.message ?? 'rejected' })
    else
      successes.push({
        id,
        version: r.version,
        ...(r.status === 'unchanged' ? { message: 'already stored, unchanged' } : {}),
      })
  }
  return { successes, failures }
}

/** A finished add request, written in the transaction that stored the objects. */
export async function insertCompleteStatus(
  trx: Knex.Transaction,
  input: { collectionId: string; principal: Principal; results: StoreResult[] },
): Promise<string> {
  const { successes, failures } = summarize(input.results)
  const [row] = await trx('taxii_statuses')
    .insert({
      collection_id: input.collectionId,
      organization_id: input.principal.orgId,
      user_id: input.principal.userId,
      status: 'complete',
      total_count: input.results.length,
      success_count: successes.length,
      failure_count: failures.length,
      successes: JSON.stringify(successes),
      failures: JSON.stringify(failures),
    })
    .returning('id')
  return row.id
}

/** A status row as findStatus reads it: the request time already in the TAXII timestamp format. */
type StatusReadRow = Omit<
  TaxiiStatusRow,
  'collection_id' | 'organization_id' | 'user_id' | 'request_timestamp' | 'payload' | 'expires_at'
> & { request_timestamp: string }

/** The status if it belongs to the caller's organization and has not expired. */
export async function findStatus(db: Knex, id: string, orgId: string): Promise<StatusResource | null> {
  if (!isUuid(id)) return null
  const row = await db('taxii_statuses')
    .where({ id, organization_id: orgId })
    .andWhere('expires_at', '>', db.fn.now())
    .first<StatusReadRow | undefined>(
      'id',
      'status',
      'total_count',
      'success_count',
      'failure_count',
      'pending_count',
      'successes',
      'failures',
      'pendings',
      db.raw(`${formatTimestampSql('request_timestamp')} AS request_timestamp`),
    )
  if (!row) return null
  const successes = statusDetails('successes', row.successes)
  const failures = statusDetails('failures', row.failures)
  const pendings = statusDetails('pendings', row.pendings)
  return {
    id: row.id,
    status: row.status,
    request_timestamp: row.request_timestamp,
    total_count: row.total_count,
    success_count: row.success_count,
    failure_count: row.failure_count,
    pending_count: row.pending_count,
    ...(successes.length ? { successes } : {}),
    ...(failures.length ? { failures } : {}),
    ...(pendings.length ? { pendings } : {}),
  }
}

/** Deletes complete statuses past their expiry (kept ≥ 24 h, hidden from readers once expired); run by the maintenance tick. */
export async function deleteExpiredStatuses(knex: Knex): Promise<number> {
  return knex('taxii_statuses').where('status', 'complete').andWhere('expires_at', '<', knex.fn.now()).delete()
}
