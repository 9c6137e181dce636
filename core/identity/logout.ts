import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import type { Principal } from '../plugin-api/types.js'
import { sessionStates, userStates } from './auth-cache.js'
import { familyOfToken, revokeAllSessions, revokeSession } from './sessions.js'

export interface LogoutRequest {
  /** Also end the session this refresh token belongs to (a client holding tokens of another session). */
  refreshToken?: string
  /** End every session of the user and invalidate every access token issued so far. */
  everywhere?: boolean
  ip: string
}

/**
 * Ends the caller's session (the refresh-token family its access token came from), the session of a refresh
 * token it names, or every session of the user. Revocations, the token-version bump and the audit entry commit
 * together; this node's caches drop the ended sessions at once, other nodes on the change notification.
 */
export async function logout(db: Knex, actor: Principal, request: LogoutRequest): Promise<void> {
  const families = new Set<string>()
  if (actor.via === 'password' && actor.credentialId) families.add(actor.credentialId)
  if (request.refreshToken) {
    const family = await familyOfToken(db, request.refreshToken)
    if (family) families.add(family)
  }
  await db.transaction(async (trx) => {
    for (const f of families) await revokeSession(trx, f)
    if (request.everywhere) {
      for (const f of await revokeAllSessions(trx, actor.userId)) families.add(f)
      await trx('users').where({ id: actor.userId }).increment('token_version', 1)
    }
    await recordAudit(trx, {
      action: 'auth.logout',
      actor,
      ip: request.ip,
      targetType: 'user',
      targetId: actor.userId,
      details: { sessions: families.size, everywhere: !!request.everywhere },
    })
  })
  for (const f of families) sessionStates.invalidate(f)
  if (request.everywhere) userStates.invalidate(actor.userId)
}
