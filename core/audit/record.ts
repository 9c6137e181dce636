import type { Knex } from 'knex'
import type { AuditOutcome } from '../model/vocabularies.js'
import type { Principal } from '../plugin-api/index.js'

interface AuditEntry {
  action: string
  outcome?: AuditOutcome
  actor?: Pick<Principal, 'userId' | 'orgId' | 'email'> | null
  /** For failures before anyone is identified (e.g. a login with a wrong password). */
  actorEmail?: string
  ip?: string
  targetType?: string
  targetId?: string
  /** before → after for changes; never secrets. */
  details?: Record<string, unknown>
}

/** Appends one audit entry; pass the transaction that makes the change so both commit or neither. */
export async function recordAudit(db: Knex | Knex.Transaction, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert(auditRow(entry))
}

/** One action by one actor on many targets: what {@link recordAuditBatch} appends. */
export interface AuditBatch {
  action: string
  actor?: AuditEntry['actor']
  ip?: string
  targetType: string
  targets: readonly { id: string; details?: Record<string, unknown> }[]
}

/**
 * Appends one entry per target, in order: the same rows as one {@link recordAudit} per target with the action
 * and actor shared, sent as arrays (`unnest`) — about half the server's work of unpacking a JSON record per row,
 * which counts when every event of an ingested batch is audited.
 */
export async function recordAuditBatch(db: Knex | Knex.Transaction, batch: AuditBatch): Promise<void> {
  if (!batch.targets.length) return
  const bindings: Knex.RawBinding[] = [
    batch.action,
    batch.actor?.userId ?? null,
    batch.actor?.orgId ?? null,
    batch.actor?.email ?? null,
    batch.ip ?? null,
    batch.targetType,
    batch.targets.map((t) => t.id),
    batch.targets.map((t) => JSON.stringify(t.details ?? {})),
  ]
  await db.raw(
    `INSERT INTO audit_log (action, outcome, actor_user_id, actor_org_id, actor_email, ip, target_type, target_id, details)
     SELECT ?, 'success', ?::uuid, ?::uuid, ?, ?, ?, t.id, t.details FROM unnest(?::text[], ?::jsonb[]) AS t(id, details)`,
    bindings,
  )
}

function auditRow(entry: AuditEntry) {
  return {
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    actor_user_id: entry.actor?.userId ?? null,
    actor_org_id: entry.actor?.orgId ?? null,
    actor_email: entry.actor?.email ?? entry.actorEmail ?? null,
    ip: entry.ip ?? null,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    details: JSON.stringify(entry.details ?? {}),
  }
}
