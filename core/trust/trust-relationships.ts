import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { can, canActInOrg } from '../auth/permissions.js'
import { forbidden, isForeignKeyViolation, isUniqueViolation, notFound } from '../infra/errors.js'
import { paginate } from '../infra/paging.js'
import { assertInput } from '../infra/validate-input.js'
import type { TrustRelationshipRow } from '../model/tables.js'
import { auditActor, type Actor } from '../identity/actor.js'
import { relationshipExists, relationshipInvalid } from './errors.js'
import { CreateTrustRelationshipInput, UpdateTrustRelationshipInput } from './trust-relationship-input.js'

export interface TrustRelationshipView {
  id: string
  trustorOrganizationId: string
  trusteeOrganizationId: string
  trustLevelId: string
  notes: string
  createdAt: string
  updatedAt: string
}
type Principalish = NonNullable<Actor>

const relationshipView = (r: TrustRelationshipRow): TrustRelationshipView => ({
  id: r.id,
  trustorOrganizationId: r.trustor_org_id,
  trusteeOrganizationId: r.trustee_org_id,
  trustLevelId: r.trust_level_id,
  notes: r.notes,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})

/**
 * The trustor decides how the trustee sees its data: only the trustor's publishers and org-admins (and platform
 * admins) manage it.
 */
function assertManages(actor: Principalish, trustorOrganizationId: string) {
  if (!can(actor, 'trust-relationships:manage') || !canActInOrg(actor, trustorOrganizationId)) {
    throw forbidden('Only publishers and org-admins of the trustor organization may manage this relationship')
  }
}

const mapErrors = (err: unknown): never => {
  if (isUniqueViolation(err)) throw relationshipExists()
  if (isForeignKeyViolation(err)) throw relationshipInvalid('Unknown organization or trust level')
  if (err instanceof Error && 'constraint' in err && err.constraint === 'trust_relationships_not_self')
    throw relationshipInvalid('An organization cannot trust itself')
  throw err
}

/**
 * Runs in the transaction of a created relationship or of one moved to another trust level, with the trustor:
 * what depends on how the trustor's data leaves towards the trustee (the prefill of its stored anonymization
 * output, core/sharing/prefill.ts) is started by the caller's layer.
 */
export type TrustChangeHook = (trx: Knex.Transaction, trustorOrgId: string) => Promise<void>

export async function createTrustRelationship(options: {
  db: Knex
  actor: Principalish
  input: CreateTrustRelationshipInput
  onTrustChange?: TrustChangeHook
}) {
  const { actor, input } = options
  assertInput(CreateTrustRelationshipInput, input)
  const trustor = input.trustorOrganizationId ?? actor.orgId
  assertManages(actor, trustor)
  return options.db
    .transaction(async (trx) => {
      const [row] = await trx('trust_relationships')
        .insert({
          trustor_org_id: trustor,
          trustee_org_id: input.trusteeOrganizationId,
          trust_level_id: input.trustLevelId,
          notes: input.notes ?? '',
        })
        .returning('*')
      const after = relationshipView(row)
      await recordAudit(trx, {
        action: 'trust_relationship.create',
        ...auditActor(actor),
        targetType: 'trust_relationship',
        targetId: row.id,
        details: { after },
      })
      await options.onTrustChange?.(trx, trustor)
      return after
    })
    .catch(mapErrors)
}

async function lockVisible(trx: Knex.Transaction, actor: Principalish, id: string) {
  const row = await trx('trust_relationships').where({ id }).forUpdate().first()
  // Relationships of other organizations are invisible to non-admins: 404, not 403.
  if (!row || (actor.role !== 'admin' && actor.orgId !== row.trustor_org_id && actor.orgId !== row.trustee_org_id))
    throw notFound('Trust relationship')
  assertManages(actor, row.trustor_org_id)
  return row
}

export async function updateTrustRelationship(options: {
  db: Knex
  actor: Principalish
  id: string
  input: UpdateTrustRelationshipInput
  onTrustChange?: TrustChangeHook
}) {
  assertInput(UpdateTrustRelationshipInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const before = await lockVisible(trx, options.actor, options.id)
      const patch: Partial<TrustRelationshipRow> = {}
      if (options.input.trustLevelId !== undefined) patch.trust_level_id = options.input.trustLevelId
      if (options.input.notes !== undefined) patch.notes = options.input.notes
      const [row] = await trx('trust_relationships')
        .where({ id: before.id })
        .update({ ...patch, updated_at: trx.fn.now() })
        .returning('*')
      const after = relationshipView(row)
      await recordAudit(trx, {
        action: 'trust_relationship.update',
        ...auditActor(options.actor),
        targetType: 'trust_relationship',
        targetId: row.id,
        details: { before: relationshipView(before), after },
      })
      if (row.trust_level_id !== before.trust_level_id) await options.onTrustChange?.(trx, row.trustor_org_id)
      return after
    })
    .catch(mapErrors)
}

export async function deleteTrustRelationship(options: { db: Knex; actor: Principalish; id: string }): Promise<void> {
  await options.db.transaction(async (trx) => {
    const before = await lockVisible(trx, options.actor, options.id)
    await trx('trust_relationships').where({ id: before.id }).delete()
    await recordAudit(trx, {
      action: 'trust_relationship.delete',
      ...auditActor(options.actor),
      targetType: 'trust_relationship',
      targetId: before.id,
      details: { before: relationshipView(before) },
    })
  })
}

export async function getTrustRelationship(options: { db: Knex; actor: Principalish; id: string }) {
  const row = await options.db('trust_relationships').where({ id: options.id }).first()
  if (
    !row ||
    (options.actor.role !== 'admin' &&
      options.actor.orgId !== row.trustor_org_id &&
      options.actor.orgId !== row.trustee_org_id)
  )
    throw notFound('Trust relationship')
  return relationshipView(row)
}

/** Admins list all; others the relationships their organization is part of (either side). */
export async function listTrustRelationships(options: {
  db: Knex
  actor: Principalish
  filter: { trustorOrganizationId?: string; trusteeOrganizationId?: string; limit?: number; cursor?: string }
}) {
  const { actor, filter } = options
  const q = options.db('trust_relationships').select('*')
  if (actor.role !== 'admin')
    q.where((w) => w.where({ trustor_org_id: actor.orgId }).orWhere({ trustee_org_id: actor.orgId }))
  if (filter.trustorOrganizationId) q.where({ trustor_org_id: filter.trustorOrganizationId })
  if (filter.trusteeOrganizationId) q.where({ trustee_org_id: filter.trusteeOrganizationId })
  const page = await paginate(q, { column: 'id', limit: filter.limit, cursor: filter.cursor })
  return { items: page.rows.map(relationshipView), nextCursor: page.nextCursor }
}
