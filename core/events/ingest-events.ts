import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import { recordAuditEntries } from '../audit/record.js'
import { auditActor } from '../identity/actor.js'
import type { Principal } from '../plugin-api/index.js'
import { createAlerts } from '../alerts/create-alerts.js'
import { getAlertSettings } from '../alerts/settings.js'
import { enqueueWebhooks } from '../alerts/webhook-queue.js'
import { checkEventInput, type EventInput } from './event-input.js'
import { eventErrors } from './errors.js'
import { NdjsonLineError } from './ndjson.js'
import { enqueueMatching, type JobSender } from './match-queue.js'

export const MAX_BATCH = 5000

export type IngestResult =
  | { index: number; status: 'created'; id: string; alertId: string | null }
  | { index: number; status: 'rejected'; reason: string }

export interface IngestOptions {
  db: Knex
  jobs: JobSender
  log: FastifyBaseLogger
  actor: Pick<Principal, 'userId' | 'orgId' | 'email' | 'role'> & { ip?: string }
  items: readonly unknown[]
}

const INSERT_CHUNK = 5000

/**
 * Stores the good events of a batch for the actor's organization and refuses the bad ones one by one. In one
 * transaction: the events, the alerts of those at or above the organization's threshold, the audit entries,
 * the matching job and the webhook deliveries (a rolled-back batch leaves no job; a committed one is always
 * matched). Log lines follow the commit.
 */
export async function ingestEvents(opts: IngestOptions): Promise<{ results: IngestResult[]; created: number; rejected: number; alerts: number }> {
  const { db, actor, items } = opts
  if (!items.length) throw eventErrors.emptyBatch()
  if (items.length > MAX_BATCH) throw eventErrors.batchTooLarge(MAX_BATCH)
  const results: IngestResult[] = new Array(items.length)
  const good: { index: number; input: EventInput }[] = []
  items.forEach((item, index) => {
    const checked = item instanceof NdjsonLineError ? { ok: false as const, reason: item.reason } : checkEventInput(item)
    if (checked.ok) good.push({ index, input: checked.value })
    else results[index] = { index, status: 'rejected', reason: checked.reason }
  })
  const alertsByEvent = new Map<string, string>()
  const stored: { id: string; severity: number; index: number }[] = []
  if (good.length) await db.transaction(async (trx) => {
    const { alertThreshold } = await getAlertSettings(trx, actor.orgId)
    for (let start = 0; start < good.length; start += INSERT_CHUNK) {
      const chunk = good.slice(start, start + INSERT_CHUNK)
      const rows = chunk.map(({ input }) => ({
        id: randomUUID(), organization_id: actor.orgId, source: input.source, event_type: input.eventType, severity: input.severity,
        description: input.description, occurred_at: input.occurredAt, observables: input.observables,
      }))
      // One parameter for the whole chunk (the server unpacks it), ids made here: the statement needs no
      // RETURNING and nothing depends on the order rows come back in. Events without observables have
      // nothing to match: done at once, so matching passes never pick them up.
      await trx.raw(
        `INSERT INTO security_events (id, organization_id, submitted_by, source, event_type, severity, description, occurred_at, observables, matched_at)
         SELECT x.id, x.organization_id, ?, x.source, x.event_type, x.severity, x.description, x.occurred_at, x.observables,
                CASE WHEN jsonb_array_length(x.observables) = 0 THEN now() END
         FROM json_to_recordset(?::json) AS x(id uuid, organization_id uuid, source text, event_type text, severity smallint,
                                                description text, occurred_at timestamptz, observables jsonb)`,
        [actor.userId ?? null, JSON.stringify(rows)],
      )
      rows.forEach((row, i) => stored.push({ id: row.id, severity: row.severity, index: chunk[i].index }))
      const alerts = await createAlerts(trx, rows.filter((r) => r.severity >= alertThreshold), 'severity')
      for (const a of alerts) alertsByEvent.set(a.eventId, a.id)
    }
    const who = auditActor(actor)
    await recordAuditEntries(trx, stored.map((e) => ({ action: 'event.create', ...who, targetType: 'event', targetId: e.id, details: { severity: e.severity } })))
    await enqueueWebhooks(trx, opts.jobs, [...alertsByEvent.values()])
    const hasObservables = new Set(good.filter((g) => g.input.observables.length).map((g) => g.index))
    const withObservables = stored.filter((e) => hasObservables.has(e.index))
    await enqueueMatching(trx, opts.jobs, actor.orgId, withObservables.map((e) => e.id))
  })
  for (const e of stored) {
    const alertId = alertsByEvent.get(e.id) ?? null
    results[e.index] = { index: e.index, status: 'created', id: e.id, alertId }
    opts.log.info({ eventId: e.id, severity: e.severity, organizationId: actor.orgId }, 'security event created')
    if (alertId) opts.log.warn({ alertId, eventId: e.id, severity: e.severity, organizationId: actor.orgId }, 'alert created automatically')
  }
  return { results, created: stored.length, rejected: items.length - stored.length, alerts: alertsByEvent.size }
}
