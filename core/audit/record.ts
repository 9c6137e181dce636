import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'

export interface AuditEntry {
  action: string
  outcome?: 'success' | 'failure' | 'denied'
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
  await db('audit_log').insert({
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    actor_user_id: entry.actor?.userId ?? null,
    actor_org_id: entry.actor?.orgId ?? null,
    actor_email: entry.actor?.email ?? entry.actorEmail ?? null,
    ip: entry.ip ?? null,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    details: JSON.stringify(entry.details ?? {}),
  })
}
