import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import { eventErrors } from '../events/errors.js'
import { alertColumns, alertView, eventMatches, eventView } from './alert-view.js'

const iso = (d: Date) => new Date(d).toISOString()

/** One alert of the actor's organization with its event, matches, notes and history (oldest first); 404 otherwise. */
export async function getAlert(opts: { db: Knex; actor: Pick<Principal, 'orgId'>; id: string }) {
  const { db, actor, id } = opts
  const row = await db('alerts as a').leftJoin('users as u', 'u.id', 'a.assignee_user_id').where({ 'a.id': id, 'a.organization_id': actor.orgId }).first(alertColumns(db))
  if (!row) throw eventErrors.alertNotFound()
  const [event, notes, history, matches] = await Promise.all([
    db('security_events').where({ id: row.event_id }).first(),
    db('alert_notes as n').leftJoin('users as u', 'u.id', 'n.author_user_id').where({ 'n.alert_id': id }).orderBy('n.created_at').select('n.id', 'n.body', 'n.created_at', 'n.author_user_id', 'u.email'),
    db('alert_history as h').leftJoin('users as u', 'u.id', 'h.actor_user_id').where({ 'h.alert_id': id }).orderBy('h.id').select('h.*', 'u.email'),
    eventMatches(db, row.event_id),
  ])
  return {
    ...alertView(row),
    event: eventView(event),
    matches,
    notes: notes.map((n) => ({ id: n.id as string, body: n.body as string, authorId: (n.author_user_id as string | null) ?? null, authorEmail: (n.email as string | null) ?? null, createdAt: iso(n.created_at) })),
    history: history.map((h) => ({
      change: h.change as string, from: (h.from_value as string | null) ?? null, to: (h.to_value as string | null) ?? null, reason: (h.reason as string | null) ?? null,
      actorId: (h.actor_user_id as string | null) ?? null, actorEmail: (h.email as string | null) ?? null, at: iso(h.at),
    })),
  }
}

export type AlertDetail = Awaited<ReturnType<typeof getAlert>>
