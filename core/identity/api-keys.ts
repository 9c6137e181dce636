import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { notFound } from '../infra/errors.js'
import { paginate, type PageRequest } from '../infra/paging.js'
import type { ApiKeyRow } from '../model/tables.js'
import { AuthenticationFailedError, type Principal } from '../plugin-api/index.js'
import { apiKeyHashes, apiKeyStates, invalidateApiKey } from './auth-cache.js'
import { auditActor, type Actor } from './actor.js'
import { getUserState, principalOf } from './user-state.js'
import { keyOwnersManagedBy } from './user-scope.js'

/** `crisp_<12 hex prefix>_<43 chars>`: the prefix is stored in clear to find and show the key; the rest is secret. */
const KEY_PATTERN = /^crisp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export const looksLikeApiKey = (s: string) => s.startsWith('crisp_')

export interface ApiKeyView {
  id: string
  name: string
  prefix: string
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
}

const iso = (d: Date | null) => d?.toISOString() ?? null
const view = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.created_at.toISOString(),
  expiresAt: iso(r.expires_at),
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
})

export async function createApiKey(options: {
  db: Knex
  actor: NonNullable<Actor>
  input: { name: string; expiresAt?: string }
}) {
  const prefix = randomBytes(6).toString('hex')
  const key = `crisp_${prefix}_${randomBytes(32).toString('base64url')}`
  const row = await options.db.transaction(async (trx) => {
    const [created] = await trx('api_keys')
      .insert({
        user_id: options.actor.userId,
        name: options.input.name,
        prefix,
        key_hash: sha256(key),
        expires_at: options.input.expiresAt === undefined ? null : new Date(options.input.expiresAt),
      })
      .returning('*')
    await recordAudit(trx, {
      action: 'api_key.create',
      ...auditActor(options.actor),
      targetType: 'api_key',
      targetId: created.id,
      details: { after: { name: created.name, prefix, expiresAt: iso(created.expires_at) } },
    })
    return created
  })
  return { key, apiKey: view(row) }
}

/** Newest first, a page at a time. */
const pageOfKeys = async (db: Knex, userId: string, page: PageRequest) => {
  const { rows, nextCursor } = await paginate(db('api_keys').where({ user_id: userId }), {
    column: 'id',
    direction: 'desc',
    sortBy: { table: 'api_keys', column: 'created_at' },
    ...page,
  })
  return { items: rows.map(view), nextCursor }
}

export async function listApiKeys(options: {
  db: Knex
  actor: NonNullable<Actor>
  page: PageRequest
}): Promise<{ items: ApiKeyView[]; nextCursor: string | null }> {
  return pageOfKeys(options.db, options.actor.userId, options.page)
}

/**
 * The keys of a user whose keys the actor manages (admins: anyone's; org-admins: their organization's users but
 * its platform admins), newest first. Any other user is a 404.
 */
export async function listUserApiKeys(options: {
  db: Knex
  actor: NonNullable<Actor>
  userId: string
  page: PageRequest
}): Promise<{ items: ApiKeyView[]; nextCursor: string | null }> {
  const owners = keyOwnersManagedBy(options.db, options.actor)
  if (!owners || !(await owners.where({ id: options.userId }).first())) throw notFound('User')
  return pageOfKeys(options.db, options.userId, options.page)
}

/**
 * Revokes one of the actor's own keys, or one of a user whose keys it manages (admins: anyone's; org-admins:
 * their organization's users'). Any other key is a 404. Takes effect at once in this process.
 */
export async function revokeApiKey(options: { db: Knex; actor: NonNullable<Actor>; id: string }): Promise<void> {
  const { actor } = options
  await options.db.transaction(async (trx) => {
    const owners = keyOwnersManagedBy(trx, actor)
    const row = await trx('api_keys')
      .where({ id: options.id })
      .forUpdate()
      .andWhere((w) =>
        owners ? w.where({ user_id: actor.userId }).orWhereIn('user_id', owners) : w.where({ user_id: actor.userId }),
      )
      .first()
    if (!row) throw notFound('API key')
    if (row.revoked_at) return
    await trx('api_keys').where({ id: row.id }).update({ revoked_at: trx.fn.now() })
    await recordAudit(trx, {
      action: 'api_key.revoke',
      ...auditActor(actor),
      targetType: 'api_key',
      targetId: row.id,
      details: { before: { name: row.name, prefix: row.prefix, userId: row.user_id } },
    })
  })
  invalidateApiKey(options.id)
}

/**
 * Revokes every live key of a user, in the caller's transaction (deactivation: a reactivated account must not
 * get back credentials nobody reviewed). Returns their ids: pass each to `invalidateApiKey` after commit.
 */
export async function revokeAllApiKeys(db: Knex | Knex.Transaction, userId: string): Promise<string[]> {
  const rows = await db('api_keys')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() })
    .returning('id')
  return rows.map((r) => r.id)
}

// last_used_at is written at most once a minute per key, off the request path.
const lastUsedWrites = new Map<string, number>()
function touch(db: Knex, keyId: string): void {
  const now = Date.now()
  if (now - (lastUsedWrites.get(keyId) ?? 0) < 60_000) return
  lastUsedWrites.set(keyId, now)
  db('api_keys')
    .where({ id: keyId })
    .update({ last_used_at: db.fn.now() })
    .catch(() => lastUsedWrites.delete(keyId))
}

async function loadKey(db: Knex, prefix: string, hash: string) {
  const row = await db('api_keys').where({ prefix }).first('id', 'user_id', 'key_hash', 'revoked_at', 'expires_at')
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= new Date())) return null
  if (!timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(hash))) return null
  apiKeyHashes.set(row.id, hash)
  return { keyId: row.id, userId: row.user_id, expiresAt: row.expires_at }
}

/**
 * Resolves an API key to its owner. Verified keys are cached by hash (only a holder of the key can produce it)
 * for 30 s; revocation invalidates the entry, and the owner's state is checked on every request.
 */
export async function verifyApiKey(db: Knex, key: string): Promise<Principal | null> {
  const match = KEY_PATTERN.exec(key)
  if (!match) {
    if (looksLikeApiKey(key)) throw new AuthenticationFailedError('Malformed API key')
    return null
  }
  const hash = sha256(key)
  const found = await apiKeyStates.get(hash, () => loadKey(db, match[1], hash))
  if (!found || (found.expiresAt && found.expiresAt <= new Date()))
    throw new AuthenticationFailedError('API key is invalid, expired or revoked')
  const state = await getUserState(db, found.userId)
  if (!state?.active) throw new AuthenticationFailedError('Account is deactivated')
  touch(db, found.keyId)
  return principalOf(state, 'api-key', found.keyId)
}
