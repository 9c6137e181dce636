import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import { userStates, type UserState } from './auth-cache.js'

async function loadUserState(db: Knex, userId: string): Promise<UserState | null> {
  const row = await db('users')
    .where({ id: userId })
    .first('id', 'organization_id', 'role', 'email', 'is_active', 'token_version')
  if (!row) return null
  return {
    id: row.id,
    orgId: row.organization_id,
    role: row.role,
    email: row.email,
    active: row.is_active,
    tokenVersion: row.token_version,
  }
}

/** The user's current state, cached for a few seconds and invalidated by every service that changes it. */
export function getUserState(db: Knex, userId: string): Promise<UserState | null> {
  return userStates.get(userId, () => loadUserState(db, userId))
}

export function principalOf(state: UserState, via: string, credentialId?: string): Principal {
  return {
    userId: state.id,
    orgId: state.orgId,
    role: state.role,
    email: state.email,
    via,
    ...(credentialId ? { credentialId } : {}),
  }
}
