import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { auditActor, type Actor } from '../identity/actor.js'
import { canActInOrg } from '../auth/permissions.js'
import { forbidden, notFound } from '../infra/errors.js'
import type { AlertSettingsRow } from '../model/tables.js'
import { eventErrors } from '../events/errors.js'

/** Per-organization alerting: which severity raises an alert, what a match does. */
export interface AlertSettings {
  organizationId: string
  /** Events of this severity or above raise an alert (5: never). */
  alertThreshold: number
  /** A match with shared intelligence raises the alert to at least this severity; null: a match changes no severity. */
  matchSeverity: number | null
  /** Publish a STIX sighting back to the producer of a matched indicator. */
  shareSightings: boolean
  /** Where sightings are published (created on first use when unset). */
  sightingCollectionId: string | null
  /** Where new High/Critical alerts are posted (set with `setWebhook`; its secret is never shown again). */
  webhookUrl: string | null
}

const DEFAULT_ALERT_SETTINGS = {
  alertThreshold: 3,
  matchSeverity: null,
  shareSightings: false,
  sightingCollectionId: null,
} as const

const view = (orgId: string, r: AlertSettingsRow | undefined): AlertSettings => ({
  organizationId: orgId,
  alertThreshold: r?.alert_threshold ?? DEFAULT_ALERT_SETTINGS.alertThreshold,
  matchSeverity: r?.match_severity ?? DEFAULT_ALERT_SETTINGS.matchSeverity,
  shareSightings: r?.share_sightings ?? DEFAULT_ALERT_SETTINGS.shareSightings,
  sightingCollectionId: r?.sighting_collection_id ?? DEFAULT_ALERT_SETTINGS.sightingCollectionId,
  webhookUrl: r?.webhook_url ?? null,
})

/** The organization's settings, the defaults where it never set any. */
export async function getAlertSettings(db: Knex | Knex.Transaction, orgId: string): Promise<AlertSettings> {
  return view(orgId, await db('alert_settings').where({ organization_id: orgId }).first())
}

/** Settings for a reader: its own organization's, or any organization's for platform admins. */
export async function readAlertSettings(opts: {
  db: Knex
  actor: NonNullable<Actor>
  orgId?: string
}): Promise<AlertSettings> {
  const orgId = opts.orgId ?? opts.actor.orgId
  if (!canActInOrg(opts.actor, orgId)) throw forbidden('Alert settings of another organization')
  if (!(await opts.db('organizations').where({ id: orgId }).first('id'))) throw notFound('Organization')
  return getAlertSettings(opts.db, orgId)
}

export type AlertSettingsInput = Partial<Omit<AlertSettings, 'organizationId' | 'webhookUrl'>>

function check(input: AlertSettingsInput): void {
  const { alertThreshold: t, matchSeverity: m } = input
  if (t !== undefined && !(Number.isInteger(t) && t >= 1 && t <= 5))
    throw eventErrors.invalidSetting('alertThreshold: an integer from 1 to 5 (5: no automatic alerts)')
  if (m !== undefined && m !== null && !(Number.isInteger(m) && m >= 1 && m <= 4))
    throw eventErrors.invalidSetting('matchSeverity: null or an integer from 1 to 4')
}

/** Changes an organization's settings (its admins; platform admins for any organization), audited with before → after. */
export async function updateAlertSettings(opts: {
  db: Knex
  actor: NonNullable<Actor>
  orgId: string
  input: AlertSettingsInput
}): Promise<AlertSettings> {
  const { db, actor, orgId, input } = opts
  if (!canActInOrg(actor, orgId)) throw forbidden('Only admins change alert settings, of their own organization')
  check(input)
  if (!(await db('organizations').where({ id: orgId }).first('id'))) throw notFound('Organization')
  if (input.sightingCollectionId) {
    const c = await db('collections').where({ id: input.sightingCollectionId }).first('organization_id')
    if (c?.organization_id !== orgId)
      throw eventErrors.invalidSetting('sightingCollectionId: a collection of this organization')
  }
  return db.transaction(async (trx) => {
    const before = await getAlertSettings(trx, orgId)
    const row = {
      organization_id: orgId,
      alert_threshold: input.alertThreshold ?? before.alertThreshold,
      match_severity: input.matchSeverity === undefined ? before.matchSeverity : input.matchSeverity,
      share_sightings: input.shareSightings ?? before.shareSightings,
      sighting_collection_id:
        input.sightingCollectionId === undefined ? before.sightingCollectionId : input.sightingCollectionId,
      updated_at: trx.fn.now(),
    }
    await trx('alert_settings').insert(row).onConflict('organization_id').merge()
    const after = await getAlertSettings(trx, orgId)
    await recordAudit(trx, {
      action: 'alert_settings.update',
      ...auditActor(actor),
      targetType: 'organization',
      targetId: orgId,
      details: { before, after },
    })
    return after
  })
}
