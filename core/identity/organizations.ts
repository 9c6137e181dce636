import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { forbidden, isUniqueViolation, notFound } from '../infra/errors.js'
import { paginate } from '../infra/paging.js'
import { assertInput } from '../infra/validate-input.js'
import type { OrganizationRow } from '../model/tables.js'
import { auditActor, type Actor } from './actor.js'
import { orgInUse, orgNameTaken } from './errors.js'
import { userView } from './users.js'
import { CreateOrganizationInput, UpdateOrganizationInput } from './organization-input.js'
import {
  buildOrganizationIdentity,
  firstVersionTimes,
  identityFactsDiffer,
  isOrganizationIdentity,
  nextModified,
  type OrganizationIdentity,
} from './org-identity.js'
import { storeObjects } from '../store/index.js'

export interface OrganizationView {
  id: string
  name: string
  description: string
  contactEmail: string | null
  sectors: string[]
  contactInformation: string | null
  /** The organization's STIX 2.1 identity (current version); null for a row inserted outside this service. */
  identity: OrganizationIdentity | null
  createdAt: string
  updatedAt: string
}

/** The identity a row holds, if it is one this service wrote. */
const storedIdentity = (r: OrganizationRow): OrganizationIdentity | null =>
  r.stix_identity && isOrganizationIdentity(r.stix_identity) ? r.stix_identity : null

export const organizationView = (r: OrganizationRow): OrganizationView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  contactEmail: r.contact_email,
  sectors: r.sectors,
  contactInformation: r.contact_information,
  identity: storedIdentity(r),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})

const columns = (input: UpdateOrganizationInput) => {
  const patch: Partial<OrganizationRow> = {}
  if (input.name !== undefined) patch.name = input.name.trim()
  if (input.description !== undefined) patch.description = input.description
  if (input.contactEmail !== undefined) patch.contact_email = input.contactEmail
  if (input.sectors !== undefined) patch.sectors = input.sectors
  if (input.contactInformation !== undefined) patch.contact_information = input.contactInformation
  return patch
}

/** The identity a row states, at the given times. */
const identityOf = (row: OrganizationRow, times: { created: string; modified: string }) =>
  buildOrganizationIdentity(
    {
      id: row.id,
      name: row.name,
      sectors: row.sectors,
      contactInformation: row.contact_information,
      contactEmail: row.contact_email,
    },
    times,
  )

/**
 * A new version of the identity when the row states other facts than its current one (name, sectors,
 * contact); it replaces the old one in every collection of the organization that holds the identity, so
 * partners reading those collections receive it (through the egress pipeline, like any object).
 */
async function reviseIdentity(trx: Knex.Transaction, row: OrganizationRow): Promise<OrganizationRow> {
  const current = storedIdentity(row)
  const times = current ? { created: current.created, modified: current.modified } : firstVersionTimes()
  if (current && !identityFactsDiffer(current, identityOf(row, times))) return row
  const identity = identityOf(row, current ? { ...times, modified: nextModified(times.modified) } : times)
  const [revised] = await trx('organizations').where({ id: row.id }).update({ stix_identity: identity }).returning('*')
  const holding = await trx('collections')
    .where('organization_id', row.id)
    .whereExists((q) =>
      q
        .select(trx.raw('1'))
        .from('collection_objects as co')
        .join('stix_objects as s', 's.pk', 'co.object_pk')
        .whereRaw('co.collection_id = collections.id')
        .andWhere('s.stix_id', identity.id),
    )
    .select('id')
  for (const c of holding)
    await storeObjects({ db: trx, collectionId: c.id, producerOrgId: row.id, objects: [identity] })
  return revised
}

const uniqueName =
  <T>(name: string | undefined) =>
  (err: unknown): T => {
    throw isUniqueViolation(err) ? orgNameTaken(name ?? '') : err
  }

export async function createOrganization(options: {
  db: Knex
  actor: Actor
  input: CreateOrganizationInput
}): Promise<OrganizationView> {
  assertInput(CreateOrganizationInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const [inserted] = await trx('organizations').insert(columns(options.input)).returning('*')
      const row = await reviseIdentity(trx, inserted)
      const after = organizationView(row)
      await recordAudit(trx, {
        action: 'organization.create',
        ...auditActor(options.actor),
        targetType: 'organization',
        targetId: row.id,
        details: { after },
      })
      return after
    })
    .catch(uniqueName<OrganizationView>(options.input.name))
}

export async function updateOrganization(options: {
  db: Knex
  actor: Actor
  id: string
  input: UpdateOrganizationInput
}): Promise<OrganizationView> {
  assertInput(UpdateOrganizationInput, options.input)
  return options.db
    .transaction(async (trx) => {
      const before = await trx('organizations').where({ id: options.id }).forUpdate().first()
      if (!before) throw notFound('Organization')
      const [updated] = await trx('organizations')
        .where({ id: before.id })
        .update({ ...columns(options.input), updated_at: trx.fn.now() })
        .returning('*')
      const row = await reviseIdentity(trx, updated)
      const after = organizationView(row)
      await recordAudit(trx, {
        action: 'organization.update',
        ...auditActor(options.actor),
        targetType: 'organization',
        targetId: row.id,
        details: { before: organizationView(before), after },
      })
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
    await recordAudit(trx, {
      action: 'organization.delete',
      ...auditActor(options.actor),
      targetType: 'organization',
      targetId: before.id,
      details: { before: organizationView(before) },
    })
  })
}

export async function getOrganization(options: { db: Knex; id: string }): Promise<OrganizationView> {
  const row = await options.db('organizations').where({ id: options.id }).first()
  if (!row) throw notFound('Organization')
  return organizationView(row)
}

export async function listOrganizations(options: {
  db: Knex
  filter: { name?: string; limit?: number; cursor?: string }
}) {
  const q = options.db('organizations').select('*')
  if (options.filter.name)
    q.whereRaw('lower(name) LIKE ?', [`%${options.filter.name.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`])
  const page = await paginate(q, { column: 'id', limit: options.filter.limit, cursor: options.filter.cursor })
  return { items: page.rows.map(organizationView), nextCursor: page.nextCursor }
}

/** Members of an organization: admins see any, members see their own organization. */
export async function listMembers(options: {
  db: Knex
  actor: NonNullable<Actor>
  id: string
  filter: { limit?: number; cursor?: string }
}) {
  if (options.actor.role !== 'admin' && options.actor.orgId !== options.id)
    throw forbidden('You may only list the members of your own organization')
  await getOrganization({ db: options.db, id: options.id })
  const q = options.db('users').select('*').where({ organization_id: options.id })
  const page = await paginate(q, { column: 'id', limit: options.filter.limit, cursor: options.filter.cursor })
  return { items: page.rows.map(userView), nextCursor: page.nextCursor }
}
