import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { forbidden, notFound } from '../infra/errors.js'
import { paginate } from '../infra/paging.js'
import { assertInput } from '../infra/validate-input.js'
import { auditActor, type Actor } from './actor.js'
import { isUniqueViolation, orgInUse, orgNameTaken } from './errors.js'
import { userView } from './users.js'
import { CreateOrganizationInput, UpdateOrganizationInput } from './organization-input.js'

export interface OrganizationView { id: string; name: string; description: string; contactEmail: string | null; createdAt: string; updatedAt: string }

const iso = (d: Date) => new Date(d).toISOString()
export const organizationView = (r: Record<string, any>): OrganizationView => ({
  id: r.id, name: r.name, description: r.description, contactEmail: r.contact_email ?? null, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
})

const columns = (input: UpdateOrganizationInput) => {
  const patch: Record<string, unknown> = {}
  if (input.name !== undefined) patch.name = input.name.trim()
  if (input.description !== undefined) patch.description = input.description
  if (input.contactEmail !== undefined) patch.contact_email = input.contactEmail
  return patch
}

const uniqueName = <T>(name: string | undefined) => (err: unknown): T => {
  throw isUniqueViolation(err) ? orgNameTaken(name ?? '') : err
}

export async function createOrganization(options: { db: Knex; actor: Actor; input: CreateOrganizationInput }): Promise<OrganizationView> {
  assertInput(CreateOrganizationInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const [row] = await trx('organizations').insert(columns(options.input)).returning('*')
      const after = organizationView(row)
      await recordAudit(trx, { action: 'organization.create', ...auditActor(options.actor), targetType: 'organization', targetId: row.id, details: { after } })
      return after
    })
    .catch(uniqueName<OrganizationView>(options.input.name))
}

export async function updateOrganization(options: { db: Knex; actor: Actor; id: string; input: UpdateOrganizationInput }): Promise<OrganizationView> {
  assertInput(UpdateOrganizationInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const before = await trx('organizations').where({ id: options.id }).forUpdate().first()
      if (!before) throw notFound('Organization')
      const [row] = await trx('organizations').where({ id: before.id }).update({ ...columns(options.input), updated_at: trx.fn.now() }).returning('*')
      const after = organizationView(row)
      await recordAudit(trx, { action: 'organization.update', ...auditActor(options.actor), targetType: 'organization', targetId: row.id, details: { before: organizationView(before), after } })
      return after
    })
    .catch(uniqueName<OrganizationView>(options.input.name))
}

/** Refused (409) while users belong to it; its trust relationships go with it. */
export async function deleteOrganization(options: { db: Knex; actor: Actor; id: string }): Promise<void> {
  await options.db.transaction(async (trx) => {
    const before = await trx('organizations').where({ id: options.id }).forUpdate().first()
    if (!before) throw notFound('Organization')
    if (await trx('users').where({ organization_id: before.id }).first('id')) throw orgInUse()
    await trx('organizations').where({ id: before.id }).delete()
    await recordAudit(trx, { action: 'organization.delete', ...auditActor(options.actor), targetType: 'organization', targetId: before.id, details: { before: organizationView(before) } })
  })
}

export async function getOrganization(options: { db: Knex; id: string }): Promise<OrganizationView> {
  const row = await options.db('organizations').where({ id: options.id }).first()
  if (!row) throw notFound('Organization')
  return organizationView(row)
}

export async function listOrganizations(options: { db: Knex; filter: { name?: string; limit?: number; cursor?: string } }) {
  const q = options.db('organizations').select('*')
  if (options.filter.name) q.whereRaw('lower(name) LIKE ?', [`%${options.filter.name.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`])
  const page = await paginate(q, { column: 'id', limit: options.filter.limit, cursor: options.filter.cursor })
  return { items: page.rows.map(organizationView), nextCursor: page.nextCursor }
}

/** Members of an organization: admins see any, members see their own organization. */
export async function listMembers(options: { db: Knex; actor: NonNullable<Actor>; id: string; filter: { limit?: number; cursor?: string } }) {
  if (options.actor.role !== 'admin' && options.actor.orgId !== options.id) throw forbidden('You may only list the members of your own organization')
  await getOrganization({ db: options.db, id: options.id })
  const q = options.db('users').select('*').where({ organization_id: options.id })
  const page = await paginate(q, { column: 'id', limit: options.filter.limit, cursor: options.filter.cursor })
  return { items: page.rows.map(userView), nextCursor: page.nextCursor }
}
