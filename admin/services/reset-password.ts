import type { Knex } from 'knex'
import { recordAudit } from '../../core/audit/record.js'
import { auditActor, type Actor } from '../../core/identity/actor.js'
import { sessionStates, userStates } from '../../core/identity/auth-cache.js'
import { weakPassword } from '../../core/identity/errors.js'
import { checkPasswordPolicy } from '../../core/identity/password-policy.js'
import { hashPassword } from '../../core/identity/passwords.js'
import { revokeAllSessions } from '../../core/identity/sessions.js'
import { notFound } from '../../core/infra/errors.js'

/**
 * An admin sets a user's password (no old password). core/identity has no such service yet (the REST API only
 * lets users change their own), so this mirrors `changePassword` there: the same policy check, hash, token
 * version bump, session revocation, cache invalidation, and a `user.password_reset` audit entry.
 */
export async function resetPassword(options: { db: Knex; actor: NonNullable<Actor>; id: string; input: { password: string } }): Promise<void> {
  const user = await options.db('users').where({ id: options.id }).first()
  if (!user) throw notFound('User')
  const problems = checkPasswordPolicy(options.input.password, { email: user.email, displayName: user.display_name })
  if (problems.length) throw weakPassword(problems)
  const hash = await hashPassword(options.input.password)
  const families = await options.db.transaction(async (trx) => {
    await trx('users').where({ id: user.id }).update({ password_hash: hash, token_version: trx.raw('token_version + 1'), updated_at: trx.fn.now() })
    const revoked = await revokeAllSessions(trx, user.id)
    await recordAudit(trx, { action: 'user.password_reset', ...auditActor(options.actor), targetType: 'user', targetId: user.id, details: { sessionsRevoked: revoked.length } })
    return revoked
  })
  userStates.invalidate(user.id)
  for (const f of families) sessionStates.invalidate(f)
}
