import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import type { AlertHistoryRow, AlertNoteRow } from '../model/tables.js'
import { eventErrors } from '../events/errors.js'
import { alertColumns, alertView, eventMatches, eventView, type AlertViewRow } from './alert-view.js'

/** A note or history entry with the email of its author (`u`, left-joined: the user may be gone). */
type WithEmail<T> = T & { email: string | null }

/** One alert of the actor's organization with its event, matches, notes and history (oldest first); 404 otherwise. */
export async function getAlert(opts: { db: Knex; actor: Pick<Principal, 'orgId'>; id: string }) {
  const { db, actor, id } = opts
  const row = await db('alerts as a')
    .leftJoin('users as u', 'u.id', 'a.assignee_user_id')
    .where({ 'a.id': id, 'a.organization_id': actor.orgId })
    .first<AlertViewRow | undefined>(alertColumns(db))
  if (!row) throw eventErrors.alertNotFound()
  const [event, notes, history, matches] = await Promise.all([
    db('security_events').where({ id: row.event_id }).first(),
    db('alert_notes as n')
      .leftJoin('users as u', 'u.id', 'n.author_user_id')
      .where({ 'n.alert_id': id })
      .orderBy('n.created_at')
      .select<WithEmail<Pick<AlertNoteRow, 'id' | 'body' | 'created_at' | 'author_user_id'>>[]>(
        'n.id',
        'n.body',
        'n.created_at',
        'n.author_user_id',
        'u.email',
      ),
    db('alert_history as h')
      .leftJoin('users as u', 'u.id', 'h.actor_user_id')
      .where({ 'h.alert_id': id })
      .orderBy('h.id')
      .select<WithEmail<AlertHistoryRow>[]>('h.*', 'u.email'),
    eventMatches(db, row.event_id),
  ])
  // Deleting an event deletes its alert (cascade): the event is missing only if deleted since the alert was read.
  if (!event) throw eventErrors.alertNotFound()
  return {
    ...alertView(row),
    event: eventView(event),
    matches,
    notes: notes.map((n) => ({
      id: n.id,
      body: n.body,
      authorId: n.author_user_id,
      authorEmail: n.email,
      createdAt: n.created_at.toISOString(),
    })),
    history: history.map((h) => ({
      change: h.change,
      from: h.from_value,
      to: h.to_value,
      reason: h.reason,
      actorId: h.actor_user_id,
      actorEmail: h.email,
      at: h.at.toISOString(),
    })),
  }
}

export type AlertDetail = Awaited<ReturnType<typeof getAlert>>
