import type { Knex } from 'knex'
import type { UserRow } from '../model/tables.js'
import type { Principal } from '../plugin-api/index.js'
import { userStates, type UserState } from './auth-cache.js'

/** The columns a user's state is made of. */
export const USER_STATE_COLUMNS = ['id', 'organization_id', 'role', 'email', 'is_active', 'token_version'] as const

/** A user row as the state the credential checks and caches hold. */
export function userStateOf(
  row: Pick<UserRow, 'id' | 'organization_id' | 'role' | 'email' | 'is_active' | 'token_version'>,
): UserState {
  return {
    id: row.id,
    orgId: row.organization_id,
    role: row.role,
    email: row.email,
    active: row.is_active,
    tokenVersion: row.token_version,
  }
}

async function loadUserState(db: Knex, userId: string): Promise<UserState | null> {
  const row = await db('users')
    .where({ id: userId })
    .first(...USER_STATE_COLUMNS)
  return row ? userStateOf(row) : null
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
