import type { Knex } from 'knex'
import { recordAuditBatch } from '../../audit/record.js'
import { createAlerts, type AlertSourceEvent } from '../../alerts/create-alerts.js'
import type { AlertSettings } from '../../alerts/settings.js'
import type { AlertHistoryRow, AlertRow, EventMatchRow } from '../../model/tables.js'
import type { FoundMatch } from './find-matches.js'

const INSERT_CHUNK = 5000

export interface StoredMatch extends FoundMatch {
  id: string
  producerOrgId: string
}

export interface RecordedMatches {
  /** Matches not stored before (a retried job finds its earlier ones and adds nothing). */
  fresh: StoredMatch[]
  /** Alerts created because an event below the threshold matched. */
  createdAlerts: { id: string; eventId: string }[]
  /** Alerts whose severity a match raised: id → [from, to]. */
  raised: Map<string, [number, number]>
}

/**
 * Stores the matches of a batch in the caller's transaction, links them to the events' alerts (creating the
 * alert of an event that had none: a match with shared intelligence is worth looking at whatever the
 * severity), counts them on the alert, raises its severity to the organization's `matchSeverity`, and writes
 * history and audit entries. Idempotent: matches are unique per event, object, collection and observable.
 */
export async function recordMatches(
  trx: Knex.Transaction,
  matches: readonly FoundMatch[],
  settings: AlertSettings,
): Promise<RecordedMatches> {
  const result: RecordedMatches = { fresh: [], createdAlerts: [], raised: new Map() }
  if (!matches.length) return result
  const owners = new Map<string, string>(
    (
      await trx('collections')
        .whereIn('id', [...new Set(matches.map((m) => m.collectionId))])
        .select('id', 'organization_id')
    ).map((r) => [r.id, r.organization_id]),
  )
  const rows = matches.map((m) => ({
    event_id: m.eventId,
    observable_type: m.observable.type,
    observable_value: m.observable.value,
    stix_id: m.stixId,
    stix_type: m.stixType,
    matched_value: m.matchedValue,
    collection_id: m.collectionId,
    producer_org_id: owners.get(m.collectionId),
    object_json: m.objectJson,
  }))
  const inserted: Pick<
    EventMatchRow,
    'id' | 'event_id' | 'stix_id' | 'collection_id' | 'observable_type' | 'observable_value' | 'producer_org_id'
  >[] = []
  // In chunks, each one JSON parameter the server unpacks (a pass can store thousands of matches of ≈ 1 kB).
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const { rows: stored } = await trx.raw<{ rows: typeof inserted }>(
      `INSERT INTO event_matches (event_id, observable_type, observable_value, stix_id, stix_type, matched_value, collection_id, producer_org_id, object_json)
       SELECT event_id, observable_type, observable_value, stix_id, stix_type, matched_value, collection_id, producer_org_id, object_json
       FROM json_to_recordset(?::json) AS x(event_id uuid, observable_type text, observable_value text, stix_id text, stix_type text,
         matched_value text, collection_id uuid, producer_org_id uuid, object_json text)
       ON CONFLICT (event_id, stix_id, collection_id, observable_type, observable_value) DO NOTHING
       RETURNING id, event_id, stix_id, collection_id, observable_type, observable_value, producer_org_id`,
      [JSON.stringify(rows.slice(start, start + INSERT_CHUNK))],
    )
    inserted.push(...stored)
  }
  if (!inserted.length) return result
  const key = (eventId: string, stixId: string, collectionId: string, type: string, value: string) =>
    [eventId, stixId, collectionId, type, value].join('\u0000')
  const byKey = new Map(
    matches.map((m) => [key(m.eventId, m.stixId, m.collectionId, m.observable.type, m.observable.value), m]),
  )
  for (const row of inserted) {
    const m = byKey.get(key(row.event_id, row.stix_id, row.collection_id, row.observable_type, row.observable_value))
    if (m) result.fresh.push({ ...m, id: row.id, producerOrgId: row.producer_org_id })
  }
  const eventIds = [...new Set(inserted.map((r) => r.event_id))]
  const events: AlertSourceEvent[] = await trx('security_events')
    .whereRaw('id = ANY(?::uuid[])', [eventIds])
    .select('id', 'organization_id', 'source', 'event_type', 'severity')
  result.createdAlerts = await createAlerts(trx, events, 'match')
  // Locked in one order: concurrent passes over the same events wait for each other instead of deadlocking.
  const alerts: Pick<AlertRow, 'id' | 'event_id' | 'severity'>[] = await trx('alerts')
    .whereRaw('event_id = ANY(?::uuid[])', [eventIds])
    .orderBy('id')
    .forUpdate()
    .select('id', 'event_id', 'severity')
  const perEvent = new Map<string, number>()
  for (const r of inserted) perEvent.set(r.event_id, (perEvent.get(r.event_id) ?? 0) + 1)
  const changes = alerts.map((alert) => {
    const count = perEvent.get(alert.event_id) ?? 0
    const target =
      settings.matchSeverity !== null && alert.severity < settings.matchSeverity
        ? settings.matchSeverity
        : alert.severity
    return { alert, count, target }
  })
  // One statement each for the whole pass (a pass can touch thousands of alerts): counts and severities,
  // history, audit.
  for (let start = 0; start < changes.length; start += INSERT_CHUNK) {
    const chunk = changes.slice(start, start + INSERT_CHUNK)
    await trx.raw(
      `UPDATE alerts a SET match_count = a.match_count + c.n, severity = c.severity, updated_at = now()
       FROM unnest(?::uuid[], ?::int[], ?::smallint[]) AS c(id, n, severity) WHERE a.id = c.id`,
      [chunk.map((c) => c.alert.id), chunk.map((c) => c.count), chunk.map((c) => c.target)],
    )
    const history: Pick<AlertHistoryRow, 'alert_id' | 'change' | 'from_value' | 'to_value' | 'reason'>[] =
      chunk.flatMap(({ alert, count, target }) => [
        {
          alert_id: alert.id,
          change: 'match',
          from_value: null,
          to_value: String(count),
          reason: 'observables matched shared intelligence',
        },
        ...(target !== alert.severity
          ? [
              {
                alert_id: alert.id,
                change: 'severity',
                from_value: String(alert.severity),
                to_value: String(target),
                reason: 'match with shared intelligence',
              },
            ]
          : []),
      ])
    // One JSON parameter: the values hold NULLs, which knex's array bindings cannot type.
    await trx.raw(
      `INSERT INTO alert_history (alert_id, change, from_value, to_value, reason)
       SELECT alert_id, change, from_value, to_value, reason
       FROM json_to_recordset(?::json) AS x(alert_id uuid, change text, from_value text, to_value text, reason text)`,
      [JSON.stringify(history)],
    )
  }
  for (const { alert, target } of changes)
    if (target !== alert.severity) result.raised.set(alert.id, [alert.severity, target])
  await recordAuditBatch(trx, {
    action: 'alert.match',
    targetType: 'alert',
    targets: changes.map(({ alert, count, target }) => ({
      id: alert.id,
      details: {
        eventId: alert.event_id,
        matches: count,
        severity: [alert.severity, target],
        organizationId: settings.organizationId,
      },
    })),
  })
  return result
}
