import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import { recordAudit } from '../audit/record.js'
import { auditActor } from '../identity/actor.js'
import type { Principal } from '../plugin-api/index.js'
import { can } from '../auth/permissions.js'
import { forbidden } from '../infra/errors.js'
import { eventErrors } from '../events/errors.js'
import type { AlertHistoryRow } from '../model/tables.js'
import { ALERT_STATUSES, type AlertStatus } from '../model/vocabularies.js'
import { canTransition, needsReason, statusTimestamps } from './workflow.js'
import { getAlert, type AlertDetail } from './get-alert.js'

export interface AlertChange {
  status?: AlertStatus
  /** Why: required when going back to Open, kept in the history otherwise. */
  reason?: string
  /** A user of the alert's organization, or null to unassign. */
  assigneeId?: string | null
  note?: string
}

type Actor = Pick<Principal, 'userId' | 'orgId' | 'email' | 'role'> & { ip?: string }

/** One change as the alert's history records it. */
type Change = Pick<AlertHistoryRow, 'change' | 'from_value' | 'to_value' | 'reason'>

type AlertUpdate = { status?: AlertStatus; assignee_user_id?: string | null } & ReturnType<typeof statusTimestamps>

function check(input: AlertChange): void {
  if (input.status === undefined && input.assigneeId === undefined && input.note === undefined)
    throw eventErrors.emptyPatch()
  if (input.status !== undefined && !ALERT_STATUSES.includes(input.status))
    throw eventErrors.invalidSetting(`status: one of ${ALERT_STATUSES.join(', ')}`)
  if (input.note !== undefined && (!input.note.trim() || input.note.length > 10_000))
    throw eventErrors.invalidSetting('note: 1 to 10000 characters')
  if (input.reason !== undefined && input.reason.length > 2000)
    throw eventErrors.invalidSetting('reason: at most 2000 characters')
  if (input.status && needsReason(input.status) && !input.reason?.trim()) throw eventErrors.reopenNeedsReason()
}

/**
 * Changes an alert of the actor's organization (status, assignee, a note): publishers and admins only, alerts
 * of other organizations are not found. Each change gets a history entry, an audit entry and a log line.
 */
export async function updateAlert(opts: {
  db: Knex
  log: FastifyBaseLogger
  actor: Actor
  id: string
  input: AlertChange
}): Promise<AlertDetail> {
  const { db, actor, id, input } = opts
  if (!can(actor, 'alerts:manage')) throw forbidden(`Your role (${actor.role}) does not allow alerts:manage`)
  check(input)
  const changed = await db.transaction(async (trx) => {
    const alert = await trx('alerts').where({ id, organization_id: actor.orgId }).forUpdate().first()
    if (!alert) throw eventErrors.alertNotFound()
    const history: Change[] = []
    let update: AlertUpdate = {}
    if (input.status !== undefined && input.status !== alert.status) {
      if (!canTransition(alert.status, input.status)) throw eventErrors.transition(alert.status, input.status)
      update = { status: input.status, ...statusTimestamps(input.status, trx.fn.now()) }
      history.push({ change: 'status', from_value: alert.status, to_value: input.status, reason: input.reason ?? null })
    } else if (input.status !== undefined) throw eventErrors.transition(alert.status, input.status)
    if (input.assigneeId !== undefined && input.assigneeId !== alert.assignee_user_id) {
      if (input.assigneeId !== null) {
        const user = await trx('users')
          .where({ id: input.assigneeId, organization_id: actor.orgId, is_active: true })
          .first('id')
        if (!user) throw eventErrors.assigneeOutsideOrg()
      }
      update = { ...update, assignee_user_id: input.assigneeId }
      history.push({
        change: 'assignee',
        from_value: alert.assignee_user_id,
        to_value: input.assigneeId,
        reason: input.reason ?? null,
      })
    }
    if (input.note !== undefined) {
      await trx('alert_notes').insert({ alert_id: id, author_user_id: actor.userId, body: input.note })
      history.push({ change: 'note', from_value: null, to_value: null, reason: null })
    }
    if (Object.keys(update).length)
      await trx('alerts')
        .where({ id })
        .update({ ...update, updated_at: trx.fn.now() })
    if (history.length)
      await trx('alert_history').insert(history.map((h) => ({ ...h, alert_id: id, actor_user_id: actor.userId })))
    for (const h of history) {
      await recordAudit(trx, {
        action: `alert.${h.change}`,
        ...auditActor(actor),
        targetType: 'alert',
        targetId: id,
        details: { before: h.from_value, after: h.to_value, reason: h.reason },
      })
    }
    return history
  })
  for (const h of changed) {
    if (h.change === 'status')
      opts.log.info(
        { alertId: id, from: h.from_value, to: h.to_value, actor: actor.userId, reason: h.reason },
        `alert status changed: ${h.from_value} → ${h.to_value}`,
      )
    else opts.log.info({ alertId: id, change: h.change, actor: actor.userId }, `alert ${h.change} changed`)
  }
  return getAlert({ db, actor, id })
}
