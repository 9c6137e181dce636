import type { Knex } from 'knex'
import { QUEUES } from '../jobs/queues.js'
import type { JobSender } from '../events/match-queue.js'

/** Alerts of this severity or above are posted to the organization's webhook. */
const WEBHOOK_MIN_SEVERITY = 3

/**
 * Queues one webhook delivery per new High/Critical alert whose organization has a webhook, in the caller's
 * transaction: the delivery row (the log) and its `alert.webhook` job commit with the alert or not at all.
 */
export async function enqueueWebhooks(
  trx: Knex.Transaction,
  jobs: JobSender,
  alertIds: readonly string[],
): Promise<number> {
  if (!alertIds.length) return 0
  const { rows: deliveries } = await trx.raw<{ rows: { id: string }[] }>(
    `INSERT INTO webhook_deliveries (organization_id, alert_id, url)
     SELECT a.organization_id, a.id, s.webhook_url FROM alerts a JOIN alert_settings s ON s.organization_id = a.organization_id
     WHERE a.id = ANY(?::uuid[]) AND a.severity >= ? AND s.webhook_url IS NOT NULL
     ON CONFLICT (alert_id) DO NOTHING RETURNING id`,
    [[...alertIds], WEBHOOK_MIN_SEVERITY],
  )
  for (const d of deliveries) await jobs.enqueue(trx, QUEUES.alertWebhook, { deliveryId: d.id })
  return deliveries.length
}
