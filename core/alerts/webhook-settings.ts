import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { auditActor, type Actor } from '../identity/actor.js'
import { canActInOrg } from '../auth/permissions.js'
import { forbidden, notFound } from '../infra/errors.js'
import { paginate } from '../infra/paging.js'
import { eventErrors } from '../events/errors.js'

function checkUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw eventErrors.invalidSetting('url: an absolute http or https URL')
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw eventErrors.invalidSetting('url: an absolute http or https URL')
  if (parsed.username || parsed.password)
    throw eventErrors.invalidSetting('url: no credentials in the URL (the signature authenticates the platform)')
  if (url.length > 2000) throw eventErrors.invalidSetting('url: at most 2000 characters')
}

async function checkOrg(db: Knex, actor: NonNullable<Actor>, orgId: string): Promise<void> {
  if (!canActInOrg(actor, orgId)) throw forbidden('Only admins configure webhooks, of their own organization')
  if (!(await db('organizations').where({ id: orgId }).first('id'))) throw notFound('Organization')
}

/**
 * Sets the organization's webhook (a new signing secret each time, returned once) or removes it (`url` null).
 * Addresses the platform may not reach are refused when delivering, by the same egress policy as feeds.
 */
export async function setWebhook(opts: {
  db: Knex
  actor: NonNullable<Actor>
  orgId: string
  url: string | null
}): Promise<{ url: string | null; secret: string | null }> {
  const { db, actor, orgId, url } = opts
  await checkOrg(db, actor, orgId)
  if (url !== null) checkUrl(url)
  const secret = url === null ? null : `whsec_${randomBytes(32).toString('base64url')}`
  await db.transaction(async (trx) => {
    const before = await trx('alert_settings').where({ organization_id: orgId }).first('webhook_url')
    await trx('alert_settings')
      .insert({ organization_id: orgId, webhook_url: url, webhook_secret: secret, updated_at: trx.fn.now() })
      .onConflict('organization_id')
      .merge(['webhook_url', 'webhook_secret', 'updated_at'])
    await recordAudit(trx, {
      action: 'alert_webhook.update',
      ...auditActor(actor),
      targetType: 'organization',
      targetId: orgId,
      details: { before: before?.webhook_url ?? null, after: url },
    })
  })
  return { url, secret }
}

/** The delivery log of the organization's webhook, newest first. */
export async function listDeliveries(opts: {
  db: Knex
  actor: NonNullable<Actor>
  orgId: string
  limit?: number
  cursor?: string
}) {
  await checkOrg(opts.db, opts.actor, opts.orgId)
  const q = opts.db('webhook_deliveries').where({ organization_id: opts.orgId })
  const { rows, nextCursor } = await paginate(q, {
    column: 'seq',
    direction: 'desc',
    limit: opts.limit ?? 50,
    cursor: opts.cursor,
  })
  return {
    items: rows.map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      url: r.url,
      status: r.status,
      attempts: r.attempts,
      responseStatus: r.response_status,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      deliveredAt: r.delivered_at?.toISOString() ?? null,
    })),
    nextCursor,
  }
}
