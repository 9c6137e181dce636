import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'

/** The fields of a stored event an alert is made from. */
export interface AlertSourceEvent {
  id: string
  organization_id: string
  source: string
  event_type: string
  severity: number
}

export interface CreatedAlert {
  id: string
  eventId: string
  severity: number
}

/**
 * Raises one alert per event, in the caller's transaction. The unique `event_id` makes it exactly one: an
 * event that already has its alert (a retried job, a concurrent writer) gets none more and is left out of the
 * result. Each new alert gets its `created` history entry and an audit entry.
 */
export async function createAlerts(trx: Knex.Transaction, events: readonly AlertSourceEvent[], reason: 'severity' | 'match'): Promise<CreatedAlert[]> {
  if (!events.length) return []
  const rows = events.map((e) => ({
    organization_id: e.organization_id,
    event_id: e.id,
    title: `${e.event_type} from ${e.source}`.slice(0, 500),
    source: e.source,
    severity: e.severity,
  }))
  const created: { id: string; event_id: string; severity: number }[] = await trx('alerts').insert(rows).onConflict('event_id').ignore().returning(['id', 'event_id', 'severity'])
  if (!created.length) return []
  await trx('alert_history').insert(created.map((a) => ({ alert_id: a.id, change: 'created', to_value: 'open', reason })))
  for (const a of created) {
    const orgId = events.find((e) => e.id === a.event_id)?.organization_id
    await recordAudit(trx, { action: 'alert.create', targetType: 'alert', targetId: a.id, details: { eventId: a.event_id, severity: a.severity, reason, organizationId: orgId } })
  }
  return created.map((a) => ({ id: a.id, eventId: a.event_id, severity: a.severity }))
}
