import type { Knex } from 'knex'
import { paginate } from '../infra/paging.js'
import { isUuid } from '../infra/uuid.js'
import type { AuditOutcome } from '../model/vocabularies.js'

export interface AuditFilter {
  action?: string
  /** A user id or an email. */
  actor?: string
  target?: string
  targetType?: string
  outcome?: AuditOutcome
  from?: string
  to?: string
  limit?: number
  cursor?: string
}

/** Newest first; the cursor walks back through the id sequence, so new entries never shift a page. */
export async function listAudit(options: { db: Knex; filter: AuditFilter }) {
  const f = options.filter
  const q = options.db('audit_log').select('*')
  if (f.action)
    q.where(
      f.action.endsWith('.*') ? q.client.raw('action LIKE ?', [`${f.action.slice(0, -1)}%`]) : { action: f.action },
    )
  if (f.actor)
    q.where(isUuid(f.actor) ? { actor_user_id: f.actor } : q.client.raw('lower(actor_email) = lower(?)', [f.actor]))
  if (f.target) q.where({ target_id: f.target })
  if (f.targetType) q.where({ target_type: f.targetType })
  if (f.outcome) q.where({ outcome: f.outcome })
  if (f.from) q.where('at', '>=', f.from)
  if (f.to) q.where('at', '<', f.to)
  const page = await paginate(q, { column: 'id', direction: 'desc', limit: f.limit, cursor: f.cursor })
  return {
    items: page.rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      action: r.action,
      outcome: r.outcome,
      actorUserId: r.actor_user_id,
      actorEmail: r.actor_email,
      actorOrganizationId: r.actor_org_id,
      ip: r.ip,
      targetType: r.target_type,
      targetId: r.target_id,
      details: r.details,
    })),
    nextCursor: page.nextCursor,
  }
}
