import type { Knex } from 'knex'
import { recordAuditEntries } from '../audit/record.js'

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
  // One JSON parameter for the whole batch (thousands of alerts when a batch of events is High).
  const { rows: created }: { rows: { id: string; event_id: string; severity: number }[] } = await trx.raw(
    `INSERT INTO alerts (organization_id, event_id, title, source, severity)
     SELECT organization_id, event_id, title, source, severity
     FROM json_to_recordset(?::json) AS x(organization_id uuid, event_id uuid, title text, source text, severity smallint)
     ON CONFLICT (event_id) DO NOTHING
     RETURNING id, event_id, severity`,
    [JSON.stringify(rows)],
  )
  if (!created.length) return []
  await trx.raw(
    `INSERT INTO alert_history (alert_id, change, to_value, reason) SELECT id, 'created', 'open', ? FROM unnest(?::uuid[]) AS a(id)`,
    [reason, created.map((a) => a.id)] as Knex.RawBinding[],
  )
  const orgOf = new Map(events.map((e) => [e.id, e.organization_id]))
  await recordAuditEntries(trx, created.map((a) => ({ action: 'alert.create', targetType: 'alert', targetId: a.id, details: { eventId: a.event_id, severity: a.severity, reason, organizationId: orgOf.get(a.event_id) } })))
  return created.map((a) => ({ id: a.id, eventId: a.event_id, severity: a.severity }))
}
