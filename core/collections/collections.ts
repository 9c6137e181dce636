import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import { recordAudit } from '../audit/record.js'
import { conflict, forbidden, isUniqueViolation, notFound } from '../infra/errors.js'
import type { Visibility } from '../model/vocabularies.js'
import { findVisibleCollection, type CollectionAccess } from './visible-collections.js'
import { can } from '../auth/permissions.js'

export interface CollectionInput {
  title: string
  description?: string
  alias?: string | null
  visibility: Visibility
}

type Actor = Principal & { ip?: string }

/** Creates a collection owned by the actor's organization. */
export async function createCollection(opts: {
  db: Knex
  actor: Actor
  input: CollectionInput
}): Promise<CollectionAccess> {
  const id = await opts.db.transaction(async (trx) => {
    const [row] = await trx('collections')
      .insert({
        organization_id: opts.actor.orgId,
        title: opts.input.title,
        description: opts.input.description ?? '',
        alias: opts.input.alias ?? null,
        visibility: opts.input.visibility,
      })
      .returning('id')
      .catch((err) => {
        throw isUniqueViolation(err)
          ? conflict('CRISP_COLLECTION_ALIAS_TAKEN', 'Another collection uses this alias')
          : err
      })
    await recordAudit(trx, {
      action: 'collection.create',
      actor: opts.actor,
      ip: opts.actor.ip,
      targetType: 'collection',
      targetId: row.id,
      details: { after: opts.input },
    })
    return row.id
  })
  return visible(opts.db, opts.actor, id)
}

/** The collection as the actor sees it, else 404 (one just written by its organization is visible unless deleted meanwhile). */
async function visible(db: Knex, actor: Actor, id: string): Promise<CollectionAccess> {
  const c = await findVisibleCollection(db, actor, id)
  if (!c) throw notFound('Collection')
  return c
}

/** The collection, for changes: visible (else 404) and owned by the actor's org with the manage permission (else 403). */
async function managed(db: Knex, actor: Actor, id: string): Promise<CollectionAccess> {
  const c = await visible(db, actor, id)
  if (c.organizationId !== actor.orgId || !can(actor, 'collections:manage'))
    throw forbidden('Only publishers of the owning organization manage a collection')
  return c
}

export async function updateCollection(opts: {
  db: Knex
  actor: Actor
  id: string
  input: Partial<CollectionInput>
}): Promise<CollectionAccess> {
  const before = await managed(opts.db, opts.actor, opts.id)
  await opts.db.transaction(async (trx) => {
    await trx('collections')
      .where({ id: opts.id })
      .update({ ...opts.input, updated_at: trx.fn.now() })
      .catch((err) => {
        throw isUniqueViolation(err)
          ? conflict('CRISP_COLLECTION_ALIAS_TAKEN', 'Another collection uses this alias')
          : err
      })
    await recordAudit(trx, {
      action: 'collection.update',
      actor: opts.actor,
      ip: opts.actor.ip,
      targetType: 'collection',
      targetId: opts.id,
      details: { before: { title: before.title, visibility: before.visibility }, after: opts.input },
    })
  })
  return visible(opts.db, opts.actor, opts.id)
}

/** Deletes a collection and its memberships (object versions stay); 409 while a feed still writes into it. */
export async function deleteCollection(opts: { db: Knex; actor: Actor; id: string }): Promise<void> {
  await managed(opts.db, opts.actor, opts.id)
  await opts.db.transaction(async (trx) => {
    const feed = await trx('feeds').where({ collection_id: opts.id }).first('id')
    if (feed)
      throw conflict('CRISP_COLLECTION_IN_USE', 'A feed writes into this collection; delete or retarget it first')
    await trx('collections').where({ id: opts.id }).del()
    await recordAudit(trx, {
      action: 'collection.delete',
      actor: opts.actor,
      ip: opts.actor.ip,
      targetType: 'collection',
      targetId: opts.id,
    })
  })
}

/** For writes of objects: visible (else 404) and writable by the actor (else 403). */
export async function writableCollection(db: Knex, actor: Actor, id: string): Promise<CollectionAccess> {
  const c = await visible(db, actor, id)
  if (!c.canWrite) throw forbidden('Only publishers of the owning organization add objects to a collection')
  return c
}
