import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { sessionStates } from './auth-cache.js'
import { invalidRefreshToken } from './errors.js'

/**
 * Sessions are refresh-token families. Each refresh rotates the token (the old row is marked used); showing a
 * used token again means it leaked, so the whole family is revoked and the reuse audited. Access tokens carry
 * the family id, so revoking a family ends its access tokens at once too.
 */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
const newToken = () => randomBytes(32).toString('base64url')

async function insertToken(
  db: Knex | Knex.Transaction,
  userId: string,
  familyId: string,
  ttlSeconds: number,
): Promise<string> {
  const token = newToken()
  await db('refresh_tokens').insert({
    user_id: userId,
    family_id: familyId,
    token_hash: hashToken(token),
    expires_at: new Date(Date.now() + ttlSeconds * 1000),
  })
  return token
}

export async function startSession(options: { db: Knex | Knex.Transaction; userId: string; ttlSeconds: number }) {
  const familyId = randomUUID()
  const refreshToken = await insertToken(options.db, options.userId, familyId, options.ttlSeconds)
  return { familyId, refreshToken }
}

/** Rotates a refresh token; throws 401 for unknown, expired, revoked or reused tokens (reuse revokes the family). */
export async function rotateRefreshToken(options: { db: Knex; token: string; ttlSeconds: number; ip?: string }) {
  const { db } = options
  const outcome = await db.transaction(async (trx) => {
    const row = await trx('refresh_tokens')
      .where({ token_hash: hashToken(options.token) })
      .forUpdate()
      .first()
    if (!row || row.revoked_at || row.expires_at <= new Date()) return { ok: false as const }
    if (row.used_at) {
      await trx('refresh_tokens')
        .where({ family_id: row.family_id })
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now() })
      const user = await trx('users').where({ id: row.user_id }).first('id', 'organization_id', 'email')
      await recordAudit(trx, {
        action: 'auth.refresh_token_reuse',
        outcome: 'failure',
        actor: user ? { userId: user.id, orgId: user.organization_id, email: user.email } : null,
        ip: options.ip,
        targetType: 'session',
        targetId: row.family_id,
        details: { reason: 'a rotated refresh token was presented again; session revoked' },
      })
      return { ok: false as const, revokedFamily: row.family_id }
    }
    const user = await trx('users').where({ id: row.user_id }).first('is_active')
    if (!user?.is_active) return { ok: false as const }
    await trx('refresh_tokens').where({ id: row.id }).update({ used_at: trx.fn.now() })
    const refreshToken = await insertToken(trx, row.user_id, row.family_id, options.ttlSeconds)
    return { ok: true as const, userId: row.user_id, familyId: row.family_id, refreshToken }
  })
  if (!outcome.ok) {
    if (outcome.revokedFamily) sessionStates.invalidate(outcome.revokedFamily)
    throw invalidRefreshToken()
  }
  return outcome
}

/** Revokes one session (logout). Call after commit-free use or pass the transaction and invalidate yourself. */
export async function revokeSession(db: Knex | Knex.Transaction, familyId: string): Promise<void> {
  await db('refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() })
}

/** Revokes every session of a user (password change, deactivation); returns the family ids to invalidate. */
export async function revokeAllSessions(db: Knex | Knex.Transaction, userId: string): Promise<string[]> {
  const rows = await db('refresh_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() })
    .returning('family_id')
  return [...new Set(rows.map((r) => r.family_id))]
}

/** The family id of a refresh token, if it is still live (logout accepts a refresh token instead of a session). */
export async function familyOfToken(db: Knex, token: string): Promise<string | undefined> {
  const row = await db('refresh_tokens')
    .where({ token_hash: hashToken(token) })
    .first('family_id')
  return row?.family_id
}

export function isSessionRevoked(db: Knex, familyId: string): Promise<boolean> {
  return sessionStates.get(familyId, async () => {
    const row = await db('refresh_tokens').where({ family_id: familyId }).whereNotNull('revoked_at').first('id')
    return !!row
  })
}
