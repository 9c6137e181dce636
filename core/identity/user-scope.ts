import type { Knex } from 'knex'
import { can, canActInOrg } from '../auth/permissions.js'
import { forbidden, notFound } from '../infra/errors.js'
import type { UserRow } from '../model/tables.js'
import type { Role } from '../plugin-api/index.js'
import type { Actor } from './actor.js'

type Manager = NonNullable<Actor>
type ManagedUser = Pick<UserRow, 'organization_id' | 'role'>

/**
 * Which users a holder of `users:manage` reaches: a platform admin every user, an org-admin the users of its own
 * organization. The rules live here so the REST routes, the console and the CLI get the same answer.
 */
export function seesUser(actor: Manager, user: ManagedUser): boolean {
  return can(actor, 'users:manage') && canActInOrg(actor, user.organization_id)
}

/**
 * Refuses a change to `user` the actor may not make: another organization's user is a 404 (its id is not
 * confirmed), a platform admin is only changed by a platform admin (an org-admin placed in the platform's
 * organization must not lock its admins out).
 */
export function assertManagesUser(actor: Manager, user: ManagedUser): void {
  if (!seesUser(actor, user)) throw notFound('User')
  if (user.role === 'admin' && actor.role !== 'admin')
    throw forbidden('Only a platform admin may change a platform admin')
}

/** Refuses giving a user what the actor may not give: org-admins keep users in their organization and below admin. */
export function assertAssignable(actor: Manager, change: { organizationId?: string; role?: Role }): void {
  if (actor.role === 'admin') return
  if (change.organizationId !== undefined && change.organizationId !== actor.orgId)
    throw forbidden('An org-admin may only place users in its own organization')
  if (change.role === 'admin') throw forbidden('Only a platform admin may make a user a platform admin')
}

/** Narrows a query on `users` to the users the actor sees (see {@link seesUser}). */
export function scopeUsers<Q extends Knex.QueryBuilder>(query: Q, actor: Manager): Q {
  if (actor.role !== 'admin') query.where('users.organization_id', actor.orgId)
  return query
}

/**
 * The ids of the users whose API keys the actor manages, as a sub-query: a platform admin's every user, an
 * org-admin's own organization's users but its platform admins. Null when the role holds no `api-keys:manage`.
 */
export function keyOwnersManagedBy(db: Knex | Knex.Transaction, actor: Manager): Knex.QueryBuilder | null {
  if (!can(actor, 'api-keys:manage')) return null
  const owners = db('users').select('id')
  if (actor.role !== 'admin') owners.where({ organization_id: actor.orgId }).whereNot({ role: 'admin' })
  return owners
}
