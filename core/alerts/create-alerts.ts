import type { Knex } from 'knex'
import { recordAuditBatch } from '../audit/record.js'
import type { AlertRow, SecurityEventRow } from '../model/tables.js'
import { timeOrderedId } from '../events/time-ordered-id.js'

/** The fields of a stored event an alert is made from. */
export type AlertSourceEvent = Pick<SecurityEventRow, 'id' | 'organization_id' | 'source' | 'event_type' | 'severity'>

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
export async function createAlerts(
  trx: Knex.Transaction,
  events: readonly AlertSourceEvent[],
  reason: 'severity' | 'match',
): Promise<CreatedAlert[]> {
  if (!events.length) return []
  const ids = events.map(() => timeOrderedId())
  // One array parameter per column for the whole batch (thousands of alerts when a batch of events is High);
  // ids in time order, as for events (core/events/time-ordered-id.ts).
  const columns: Knex.RawBinding[] = [
    ids,
    events.map((e) => e.organization_id),
    events.map((e) => e.id),
    events.map((e) => e.event_type),
    events.map((e) => e.source),
    events.map((e) => e.severity),
  ]
  const { rows: created } = await trx.raw<{ rows: Pick<AlertRow, 'id' | 'event_id' | 'severity'>[] }>(
    `INSERT INTO alerts (id, organization_id, event_id, title, source, severity)
     SELECT id, organization_id, event_id, left(event_type || ' from ' || source, 500), source, severity
     FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::smallint[]) AS x(id, organization_id, event_id, event_type, source, severity)
     ON CONFLICT (event_id) DO NOTHING
     RETURNING id, event_id, severity`,
    columns,
  )
  if (!created.length) return []
  await trx.raw(
    `INSERT INTO alert_history (alert_id, change, to_value, reason) SELECT id, 'created', 'open', ? FROM unnest(?::uuid[]) AS a(id)`,
    [reason, created.map((a) => a.id)],
  )
  const orgOf = new Map(events.map((e) => [e.id, e.organization_id]))
  await recordAuditBatch(trx, {
    action: 'alert.create',
    targetType: 'alert',
    targets: created.map((a) => ({
      id: a.id,
      details: { eventId: a.event_id, severity: a.severity, reason, organizationId: orgOf.get(a.event_id) },
    })),
  })
  return created.map((a) => ({ id: a.id, eventId: a.event_id, severity: a.severity }))
}
