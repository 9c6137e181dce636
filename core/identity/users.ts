import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { can } from '../auth/permissions.js'
import { forbidden, isForeignKeyViolation, isUniqueViolation, notFound } from '../infra/errors.js'
import { paginate } from '../infra/paging.js'
import { assertInput } from '../infra/validate-input.js'
import type { UserRow } from '../model/tables.js'
import type { Role } from '../plugin-api/index.js'
import { auditActor, type Actor } from './actor.js'
import { revokeAllApiKeys } from './api-keys.js'
import { invalidateApiKey, sessionStates, userStates } from './auth-cache.js'
import { emailTaken, unknownOrg, weakPassword, wrongOldPassword } from './errors.js'
import { checkPasswordPolicy } from './password-policy.js'
import { assertAssignable, assertManagesUser, scopeUsers, seesUser } from './user-scope.js'
import { hashPassword, verifyPassword } from './passwords.js'
import { revokeAllSessions } from './sessions.js'
import { ChangePasswordInput, CreateUserInput, ResetPasswordInput, UpdateUserInput } from './user-input.js'

export interface UserView {
  id: string
  organizationId: string
  email: string
  displayName: string
  role: Role
  isActive: boolean
  lastLoginAt: string | null
  createdAt: string
  updatedAt: string
}

/** The public shape of a user: never the hash or the token version. */
export const userView = (r: UserRow): UserView => ({
  id: r.id,
  organizationId: r.organization_id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  isActive: r.is_active,
  lastLoginAt: r.last_login_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})

/** Drops the cached state so the change applies to the very next request; sessions too when they were revoked. */
function afterCommit(userId: string, families: string[] = []) {
  userStates.invalidate(userId)
  for (const f of families) sessionStates.invalidate(f)
}

function assertPolicy(password: string, user: { email: string; displayName?: string }) {
  const problems = checkPasswordPolicy(password, user)
  if (problems.length) throw weakPassword(problems)
}

/** Refused (403, audited by the app) when the role holds no `users:manage`. */
function assertUserManager(actor: NonNullable<Actor>): void {
  if (!can(actor, 'users:manage')) throw forbidden(`Your role (${actor.role}) does not allow users:manage`)
}

/**
 * Creates a user. Without an actor (the CLI, start-up) anything goes; an admin creates any user, an org-admin
 * users of its own organization below admin.
 */
export async function createUser(options: {
  db: Knex
  actor: Actor
  input: CreateUserInput
  reason?: string
}): Promise<UserView> {
  const { input } = options
  assertInput(CreateUserInput, input)
  if (options.actor) {
    assertUserManager(options.actor)
    assertAssignable(options.actor, input)
  }
  assertPolicy(input.password, input)
  const passwordHash = await hashPassword(input.password)
  try {
    return await options.db.transaction(async (trx) => {
      const [row] = await trx('users')
        .insert({
          organization_id: input.organizationId,
          email: input.email,
          display_name: input.displayName ?? '',
          role: input.role,
          password_hash: passwordHash,
        })
        .returning('*')
      const after = userView(row)
      await recordAudit(trx, {
        action: 'user.create',
        ...auditActor(options.actor),
        targetType: 'user',
        targetId: row.id,
        details: { after, ...(options.reason ? { reason: options.reason } : {}) },
      })
      return after
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(input.email)
    if (isForeignKeyViolation(err)) throw unknownOrg(input.organizationId)
    throw err
  }
}

/** Your own account, or (admins, org-admins) a user you manage; another organization's user is a 404. */
export async function getUser(options: { db: Knex; actor: NonNullable<Actor>; id: string }): Promise<UserView> {
  const { actor } = options
  const self = actor.userId === options.id
  if (!self && !can(actor, 'users:manage')) throw forbidden('You may only read your own account')
  const row = await options.db('users').where({ id: options.id }).first()
  if (!row || (!self && !seesUser(actor, row))) throw notFound('User')
  return userView(row)
}

export interface UserFilter {
  organizationId?: string
  role?: Role
  isActive?: boolean
  email?: string
  limit?: number
  cursor?: string
}

/** Users the actor manages (an org-admin: its own organization's, whatever `organizationId` asks). */
export async function listUsers(options: { db: Knex; actor: NonNullable<Actor>; filter: UserFilter }) {
  const f = options.filter
  assertUserManager(options.actor)
  const q = scopeUsers(options.db('users').select('*'), options.actor)
  if (f.organizationId) q.where({ organization_id: f.organizationId })
  if (f.role) q.where({ role: f.role })
  if (f.isActive !== undefined) q.where({ is_active: f.isActive })
  if (f.email) q.whereRaw('lower(email) LIKE ?', [`%${f.email.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`])
  const page = await paginate(q, { column: 'id', limit: f.limit, cursor: f.cursor })
  return { items: page.rows.map(userView), nextCursor: page.nextCursor }
}

const MANAGER_ONLY: (keyof UpdateUserInput)[] = ['email', 'role', 'organizationId', 'isActive']

/**
 * Updates a user. Users may change their own display name; admins anything; org-admins the users of their own
 * organization, never moving one out of it nor making one a platform admin (see `user-scope.ts`).
 * Deactivation, a role or an organization change end the user's sessions and tokens at once (token_version bump).
 */
export async function updateUser(options: {
  db: Knex
  actor: NonNullable<Actor>
  id: string
  input: UpdateUserInput
}): Promise<UserView> {
  const { actor, input } = options
  assertInput(UpdateUserInput, input)
  const manager = can(actor, 'users:manage')
  if (manager) assertAssignable(actor, input)
  else {
    if (actor.userId !== options.id) throw forbidden('You may only update your own account')
    const denied = MANAGER_ONLY.filter((k) => input[k] !== undefined)
    if (denied.length) throw forbidden(`Only an admin may change ${denied.join(', ')}`)
  }
  let families: string[] = []
  let revokedKeys: string[] = []
  try {
    const after = await options.db.transaction(async (trx) => {
      const before = await trx('users').where({ id: options.id }).forUpdate().first()
      if (!before) throw notFound('User')
      if (manager) assertManagesUser(actor, before)
      const patch: Partial<UserRow> = {}
      if (input.displayName !== undefined) patch.display_name = input.displayName
      if (input.email !== undefined) patch.email = input.email
      if (input.role !== undefined) patch.role = input.role
      if (input.organizationId !== undefined) patch.organization_id = input.organizationId
      if (input.isActive !== undefined) patch.is_active = input.isActive
      const revoke =
        (input.isActive === false && before.is_active) ||
        (input.role && input.role !== before.role) ||
        (input.organizationId && input.organizationId !== before.organization_id)
      if (revoke) {
        patch.token_version = before.token_version + 1
        families = await revokeAllSessions(trx, before.id)
      }
      if (input.isActive === false && before.is_active) revokedKeys = await revokeAllApiKeys(trx, before.id)
      if (!Object.keys(patch).length) return userView(before)
      const [row] = await trx('users')
        .where({ id: before.id })
        .update({ ...patch, updated_at: trx.fn.now() })
        .returning('*')
      const action = input.isActive === false && before.is_active ? 'user.deactivate' : 'user.update'
      await recordAudit(trx, {
        action,
        ...auditActor(actor),
        targetType: 'user',
        targetId: row.id,
        details: { before: userView(before), after: userView(row) },
      })
      return userView(row)
    })
    afterCommit(options.id, families)
    revokedKeys.forEach(invalidateApiKey)
    return after
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(input.email ?? '')
    if (isForeignKeyViolation(err)) throw unknownOrg(input.organizationId ?? '')
    throw err
  }
}

/** A user changes its own password: needs the current one; every session and token of the user ends. */
export async function changePassword(options: {
  db: Knex
  actor: NonNullable<Actor>
  oldPassword: string
  newPassword: string
}): Promise<void> {
  assertInput(ChangePasswordInput, { oldPassword: options.oldPassword, newPassword: options.newPassword })
  const user = await options.db('users').where({ id: options.actor.userId }).first()
  if (!user) throw notFound('User')
  if (!(await verifyPassword(options.oldPassword, user.password_hash))) throw wrongOldPassword()
  await setPassword({
    db: options.db,
    actor: options.actor,
    user,
    password: options.newPassword,
    action: 'user.password_change',
  })
}

/**
 * An admin (or the user's org-admin) sets another user's password (no old password needed); the same policy,
 * and every session ends.
 */
export async function resetPassword(options: {
  db: Knex
  actor: NonNullable<Actor>
  id: string
  input: ResetPasswordInput
}): Promise<void> {
  assertInput(ResetPasswordInput, options.input)
  assertUserManager(options.actor)
  const user = await options.db('users').where({ id: options.id }).first()
  if (!user) throw notFound('User')
  assertManagesUser(options.actor, user)
  await setPassword({
    db: options.db,
    actor: options.actor,
    user,
    password: options.input.password,
    action: 'user.password_reset',
  })
}

async function setPassword(options: {
  db: Knex
  actor: NonNullable<Actor>
  user: UserRow
  password: string
  action: string
}): Promise<void> {
  const { user } = options
  assertPolicy(options.password, { email: user.email, displayName: user.display_name })
  const hash = await hashPassword(options.password)
  const families = await options.db.transaction(async (trx) => {
    await trx('users')
      .where({ id: user.id })
      .update({ password_hash: hash, token_version: trx.raw('token_version + 1'), updated_at: trx.fn.now() })
    const revoked = await revokeAllSessions(trx, user.id)
    await recordAudit(trx, {
      action: options.action,
      ...auditActor(options.actor),
      targetType: 'user',
      targetId: user.id,
      details: { sessionsRevoked: revoked.length },
    })
    return revoked
  })
  afterCommit(user.id, families)
}
