import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import { errorMessage } from '../infra/errors.js'
import type { EgressPolicy } from '../plugin-api/egress-policy.js'
import { alertColumns, alertView, eventView, type AlertViewRow } from './alert-view.js'
import { postSigned } from './webhook-post.js'

export interface DeliveryDeps {
  knex: Knex
  log: FastifyBaseLogger
  policy: EgressPolicy
  signal?: AbortSignal
}

/** A job's attempt: pg-boss's retry count and limit (the last attempt is `retryCount === retryLimit`). */
export interface Attempt {
  retryCount: number
  retryLimit: number
}

/** The attempt of a job fetched with `includeMetadata` (pg-boss adds its retry count and limit to the job). */
export function attemptOf(job: object): Attempt {
  if (!(
    'retryCount' in job &&
    'retryLimit' in job &&
    typeof job.retryCount === 'number' &&
    typeof job.retryLimit === 'number'
  )) {
    throw new Error('alert.webhook job without its retry metadata (includeMetadata)')
  }
  return { retryCount: job.retryCount, retryLimit: job.retryLimit }
}

/** The data of an `alert.webhook` job (core/alerts/webhook-queue.ts). */
export function deliveryIdOf(data: Record<string, unknown>): string {
  if (typeof data.deliveryId !== 'string') throw new Error('alert.webhook job without a deliveryId')
  return data.deliveryId
}

/**
 * One attempt of the `alert.webhook` job: posts the alert and its event, signed with the organization's
 * current secret, to the URL recorded on the delivery. Each attempt updates the delivery log; a failure
 * throws so pg-boss retries with backoff, and the last failed attempt marks the delivery `failed`.
 */
export async function deliverWebhook(deps: DeliveryDeps, deliveryId: string, attempt: Attempt): Promise<void> {
  const { knex } = deps
  const delivery = await knex('webhook_deliveries').where({ id: deliveryId }).first()
  if (!delivery || delivery.status === 'delivered') return
  const settings = await knex('alert_settings')
    .where({ organization_id: delivery.organization_id })
    .first('webhook_secret', 'webhook_url')
  const refuse = (reason: string) =>
    knex('webhook_deliveries')
      .where({ id: deliveryId })
      .update({ status: 'failed', last_error: reason, updated_at: knex.fn.now() })
  if (!settings?.webhook_secret || settings.webhook_url !== delivery.url) {
    await refuse('the webhook was changed or removed before delivery')
    return
  }
  const alert = await knex('alerts as a')
    .leftJoin('users as u', 'u.id', 'a.assignee_user_id')
    .where('a.id', delivery.alert_id)
    .first<AlertViewRow | undefined>(alertColumns(knex))
  const event = alert && (await knex('security_events').where({ id: alert.event_id }).first())
  // Deleting an alert deletes its delivery (cascade): only a deletion between these reads gets here.
  if (!alert || !event) {
    await refuse('the alert was deleted before delivery')
    return
  }
  const body = JSON.stringify({
    type: 'alert.created',
    deliveryId,
    organizationId: delivery.organization_id,
    alert: alertView(alert),
    event: eventView(event),
  })
  let status = 0
  let error: string | null = null
  try {
    status = await postSigned({
      url: delivery.url,
      body,
      secret: settings.webhook_secret,
      headers: { 'x-crisp-delivery': deliveryId, 'x-crisp-event': 'alert.created' },
      policy: deps.policy,
      timeoutMs: 10_000,
      signal: deps.signal,
    })
    if (status < 200 || status >= 300) error = `the receiver answered ${status}`
  } catch (err) {
    error = errorMessage(err)
  }
  const last = attempt.retryCount >= attempt.retryLimit
  await knex('webhook_deliveries')
    .where({ id: deliveryId })
    .update({
      attempts: knex.raw('attempts + 1'),
      response_status: status || null,
      last_error: error,
      updated_at: knex.fn.now(),
      status: error ? (last ? 'failed' : 'retrying') : 'delivered',
      delivered_at: error ? null : knex.fn.now(),
    })
  if (!error) {
    deps.log.info({ deliveryId, alertId: delivery.alert_id, status }, 'alert webhook delivered')
    return
  }
  deps.log.warn(
    { deliveryId, alertId: delivery.alert_id, error, attempt: attempt.retryCount + 1, final: last },
    'alert webhook delivery failed',
  )
  throw new Error(`webhook delivery ${deliveryId}: ${error}`)
}
