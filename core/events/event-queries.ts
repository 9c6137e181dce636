import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import { paginate } from '../infra/paging.js'
import { eventMatches, eventView } from '../alerts/alert-view.js'
import { eventErrors } from './errors.js'

/** Events of the actor's organization, newest first, in keyset pages. */
export async function listEvents(opts: {
  db: Knex
  actor: Pick<Principal, 'orgId'>
  filter: { severity?: number; source?: string; limit?: number; cursor?: string }
}) {
  const { db, filter } = opts
  const q = db('security_events').where({ organization_id: opts.actor.orgId })
  if (filter.severity) q.where('severity', '>=', filter.severity)
  if (filter.source) q.where({ source: filter.source })
  const { rows, nextCursor } = await paginate(q, {
    column: 'seq',
    direction: 'desc',
    limit: filter.limit ?? 50,
    cursor: filter.cursor,
  })
  return { items: rows.map(eventView), nextCursor }
}

/** One event of the actor's organization, with its alert id and its matches; 404 otherwise. */
export async function getEvent(opts: { db: Knex; actor: Pick<Principal, 'orgId'>; id: string }) {
  const { db } = opts
  const row = await db('security_events').where({ id: opts.id, organization_id: opts.actor.orgId }).first()
  if (!row) throw eventErrors.eventNotFound()
  const alert = await db('alerts').where({ event_id: row.id }).first('id')
  return { ...eventView(row), alertId: alert?.id ?? null, matches: await eventMatches(db, row.id) }
}
