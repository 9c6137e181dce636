import type { Knex } from 'knex'
import { SEVERITY_NAMES } from '../events/event-input.js'
import type { AlertStatus } from './workflow.js'

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null)
export const severityName = (n: number) => SEVERITY_NAMES[n - 1].replace(/^./, (c) => c.toUpperCase())

/** The columns an alert is shown from (alerts `a` joined to the assignee `u`). */
export function alertColumns(db: Knex) {
  return [
    'a.id', 'a.seq', 'a.event_id', 'a.title', 'a.source', 'a.severity', 'a.status', 'a.match_count', 'a.created_at', 'a.updated_at',
    'a.acknowledged_at', 'a.resolved_at', 'a.assignee_user_id', db.ref('u.email').as('assignee_email'),
  ]
}

export function alertView(r: Record<string, any>) {
  return {
    id: r.id as string,
    eventId: r.event_id as string,
    title: r.title as string,
    source: r.source as string,
    severity: r.severity as number,
    severityName: severityName(r.severity),
    status: r.status as AlertStatus,
    assignee: r.assignee_user_id ? { id: r.assignee_user_id as string, email: r.assignee_email as string } : null,
    matchCount: r.match_count as number,
    createdAt: iso(r.created_at) as string,
    updatedAt: iso(r.updated_at) as string,
    acknowledgedAt: iso(r.acknowledged_at),
    resolvedAt: iso(r.resolved_at),
  }
}

export type AlertView = ReturnType<typeof alertView>

export function eventView(r: Record<string, any>) {
  return {
    id: r.id as string,
    source: r.source as string,
    eventType: r.event_type as string,
    severity: r.severity as number,
    severityName: severityName(r.severity),
    description: r.description as string,
    occurredAt: iso(r.occurred_at) as string,
    observables: r.observables as { type: string; value: string }[],
    createdAt: iso(r.created_at) as string,
    matchedAt: iso(r.matched_at),
  }
}

/** A match as the organization received the matched object (never the producer's stored form). */
export function matchView(r: Record<string, any>) {
  return {
    observable: { type: r.observable_type as string, value: r.observable_value as string },
    matchedValue: r.matched_value as string,
    stixId: r.stix_id as string,
    stixType: r.stix_type as string,
    collectionId: r.collection_id as string,
    sightingId: (r.sighting_id as string | null) ?? null,
    object: JSON.parse(r.object_json) as Record<string, unknown>,
    matchedAt: iso(r.created_at) as string,
  }
}

/** The matches of an event, oldest first. */
export async function eventMatches(db: Knex, eventId: string) {
  return (await db('event_matches').where({ event_id: eventId }).orderBy('id')).map(matchView)
}
