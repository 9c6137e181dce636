import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { burnPasswordCheck, verifyPassword } from './passwords.js'
import { invalidCredentials, loginLocked } from './errors.js'
import type { LoginLimiter } from './login-limiter.js'
import type { UserState } from './auth-cache.js'
import { userStateOf } from './user-state.js'
import type { PlatformMetrics } from '../infra/metrics.js'

/**
 * Checks an email and password under the failed-login limits. Failures are audited with the IP; successes
 * only when `auditSuccess` (the login route, not every HTTP Basic request). Unknown accounts cost the same
 * time as known ones so the answer does not reveal which emails exist.
 */
export async function attemptPasswordLogin(options: {
  db: Knex
  limiter: LoginLimiter
  email: string
  password: string
  ip: string
  via: 'login' | 'basic'
  auditSuccess: boolean
  /** Counts refused logins (absent: not counted). */
  metrics?: Pick<PlatformMetrics, 'loginFailed'>
}): Promise<UserState> {
  const { db, limiter, email, ip } = options
  const keys = { ip, account: email }
  const wait = await limiter.retryAfter(keys)
  if (wait > 0) {
    options.metrics?.loginFailed({ via: options.via, reason: 'locked' })
    await recordAudit(db, {
      action: 'auth.login',
      outcome: 'failure',
      actorEmail: email,
      ip,
      details: { via: options.via, reason: 'locked: too many failures' },
    })
    throw loginLocked(wait)
  }
  const row = await db('users').whereRaw('lower(email) = lower(?)', [email]).first()
  let ok = false
  if (row?.password_hash) ok = await verifyPassword(options.password, row.password_hash)
  else await burnPasswordCheck(options.password)
  if (!row || !ok || !row.is_active) {
    await limiter.recordFailure(keys)
    options.metrics?.loginFailed({ via: options.via, reason: 'invalid' })
    await recordAudit(db, {
      action: 'auth.login',
      outcome: 'failure',
      actorEmail: email,
      ip,
      details: { via: options.via, reason: ok ? 'account deactivated' : 'wrong email or password' },
    })
    throw invalidCredentials()
  }
  await limiter.recordSuccess(keys)
  const actor = { userId: row.id, orgId: row.organization_id, email: row.email }
  if (options.auditSuccess) {
    await db.transaction(async (trx) => {
      await trx('users').where({ id: row.id }).update({ last_login_at: trx.fn.now() })
      await recordAudit(trx, { action: 'auth.login', actor, ip, details: { via: options.via } })
    })
  }
  return userStateOf(row)
}
