import type { Knex } from 'knex'
import type { AlertRow, EventMatchRow, SecurityEventRow } from '../model/tables.js'
import { isJsonObject } from '../stix/json-object.js'
import { SEVERITY_NAMES } from '../events/event-input.js'

const iso = (d: Date) => d.toISOString()
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null)
export const severityName = (n: number) => SEVERITY_NAMES[n - 1].replace(/^./, (c) => c.toUpperCase())

/** An alert as {@link alertColumns} selects it: the alert and its assignee's email. */
export type AlertViewRow = Omit<AlertRow, 'organization_id'> & { assignee_email: string | null }

/** The columns an alert is shown from (alerts `a` joined to the assignee `u`): an {@link AlertViewRow}. */
export function alertColumns(db: Knex) {
  return [
    'a.id',
    'a.seq',
    'a.event_id',
    'a.title',
    'a.source',
    'a.severity',
    'a.status',
    'a.match_count',
    'a.created_at',
    'a.updated_at',
    'a.acknowledged_at',
    'a.resolved_at',
    'a.assignee_user_id',
    db.ref('u.email').as('assignee_email'),
  ]
}

export function alertView(r: AlertViewRow) {
  return {
    id: r.id,
    eventId: r.event_id,
    title: r.title,
    source: r.source,
    severity: r.severity,
    severityName: severityName(r.severity),
    status: r.status,
    assignee:
      r.assignee_user_id && r.assignee_email !== null ? { id: r.assignee_user_id, email: r.assignee_email } : null,
    matchCount: r.match_count,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    resolvedAt: isoOrNull(r.resolved_at),
  }
}

export type AlertView = ReturnType<typeof alertView>

export function eventView(r: SecurityEventRow) {
  return {
    id: r.id,
    source: r.source,
    eventType: r.event_type,
    severity: r.severity,
    severityName: severityName(r.severity),
    description: r.description,
    occurredAt: iso(r.occurred_at),
    observables: r.observables,
    createdAt: iso(r.created_at),
    matchedAt: isoOrNull(r.matched_at),
  }
}

/** The matched object's JSON text, written from the released object by core/events/match/record-matches.ts. */
function matchedObject(json: string): Record<string, unknown> {
  const object: unknown = JSON.parse(json)
  if (!isJsonObject(object)) throw new Error('event_matches.object_json holds no JSON object')
  return object
}

/** A match as the organization received the matched object (never the producer's stored form). */
function matchView(r: EventMatchRow) {
  return {
    observable: { type: r.observable_type, value: r.observable_value },
    matchedValue: r.matched_value,
    stixId: r.stix_id,
    stixType: r.stix_type,
    collectionId: r.collection_id,
    sightingId: r.sighting_id,
    object: matchedObject(r.object_json),
    matchedAt: iso(r.created_at),
  }
}

/** The matches of an event, oldest first. */
export async function eventMatches(db: Knex, eventId: string) {
  return (await db('event_matches').where({ event_id: eventId }).orderBy('id')).map(matchView)
}
