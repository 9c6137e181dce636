import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { isForeignKeyViolation, isUniqueViolation, notFound } from '../infra/errors.js'
import { paginate } from '../infra/paging.js'
import { assertInput } from '../infra/validate-input.js'
import type { TrustLevelRow } from '../model/tables.js'
import type { AnonymizationLevel } from '../plugin-api/index.js'
import { auditActor, type Actor } from '../identity/actor.js'
import { trustLevelInUse, trustLevelNameTaken } from './errors.js'
import { CreateTrustLevelInput, UpdateTrustLevelInput } from './trust-level-input.js'

export interface TrustLevelView {
  id: string
  name: string
  level: number
  anonymizationLevel: AnonymizationLevel
  description: string
  createdAt: string
  updatedAt: string
}

const trustLevelView = (r: TrustLevelRow): TrustLevelView => ({
  id: r.id,
  name: r.name,
  level: r.level,
  anonymizationLevel: r.anonymization_level,
  description: r.description,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})
const columns = (i: UpdateTrustLevelInput) => {
  const c: Partial<TrustLevelRow> = {}
  if (i.name !== undefined) c.name = i.name
  if (i.level !== undefined) c.level = i.level
  if (i.anonymizationLevel !== undefined) c.anonymization_level = i.anonymizationLevel
  if (i.description !== undefined) c.description = i.description
  return c
}
const mapErrors =
  (name?: string) =>
  (err: unknown): never => {
    if (isUniqueViolation(err)) throw trustLevelNameTaken(name ?? '')
    if (isForeignKeyViolation(err)) throw trustLevelInUse()
    throw err
  }

export async function createTrustLevel(options: { db: Knex; actor: Actor; input: CreateTrustLevelInput }) {
  assertInput(CreateTrustLevelInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const [row] = await trx('trust_levels').insert(columns(options.input)).returning('*')
      const after = trustLevelView(row)
      await recordAudit(trx, {
        action: 'trust_level.create',
        ...auditActor(options.actor),
        targetType: 'trust_level',
        targetId: row.id,
        details: { after },
      })
      return after
    })
    .catch(mapErrors(options.input.name))
}

export async function updateTrustLevel(options: { db: Knex; actor: Actor; id: string; input: UpdateTrustLevelInput }) {
  assertInput(UpdateTrustLevelInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const before = await trx('trust_levels').where({ id: options.id }).forUpdate().first()
      if (!before) throw notFound('Trust level')
      const [row] = await trx('trust_levels')
        .where({ id: before.id })
        .update({ ...columns(options.input), updated_at: trx.fn.now() })
        .returning('*')
      const after = trustLevelView(row)
      await recordAudit(trx, {
        action: 'trust_level.update',
        ...auditActor(options.actor),
        targetType: 'trust_level',
        targetId: row.id,
        details: { before: trustLevelView(before), after },
      })
      return after
    })
    .catch(mapErrors(options.input.name))
}

/** Refused with 409 while a trust relationship uses it (the foreign key also refuses it). */
export async function deleteTrustLevel(options: { db: Knex; actor: Actor; id: string }): Promise<void> {
  await options.db
    .transaction(async (trx) => {
      const before = await trx('trust_levels').where({ id: options.id }).forUpdate().first()
      if (!before) throw notFound('Trust level')
      if (await trx('trust_relationships').where({ trust_level_id: before.id }).first('id')) throw trustLevelInUse()
      await trx('trust_levels').where({ id: before.id }).delete()
      await recordAudit(trx, {
        action: 'trust_level.delete',
        ...auditActor(options.actor),
        targetType: 'trust_level',
        targetId: before.id,
        details: { before: trustLevelView(before) },
      })
    })
    .catch(mapErrors())
}

export async function getTrustLevel(options: { db: Knex; id: string }) {
  const row = await options.db('trust_levels').where({ id: options.id }).first()
  if (!row) throw notFound('Trust level')
  return trustLevelView(row)
}

export async function listTrustLevels(options: { db: Knex; filter: { limit?: number; cursor?: string } }) {
  const page = await paginate(options.db('trust_levels').select('*'), {
    column: 'id',
    limit: options.filter.limit,
    cursor: options.filter.cursor,
  })
  return { items: page.rows.map(trustLevelView), nextCursor: page.nextCursor }
}
