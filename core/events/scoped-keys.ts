import { createHash, randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import type { FastifyRequest } from 'fastify'
import { recordAudit } from '../audit/record.js'
import { auditActor, type Actor } from '../identity/actor.js'
import { can, type Permission } from '../auth/permissions.js'
import { badRequest, forbidden, unauthorized } from '../infra/errors.js'
import { eventErrors } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a scoped API key must hold to call this route (routes without it refuse scoped keys). */
    scopedPermission?: Permission
  }
}

/** The permissions a key is limited to, or null for an ordinary key (its owner's role applies). */
async function keyScopes(db: Knex, apiKeyId: string | undefined): Promise<string[] | null> {
  if (!apiKeyId) return null
  const row = await db('api_key_scopes').where({ api_key_id: apiKeyId }).first('permissions')
  return row ? row.permissions : null
}

/**
 * A scoped key may call only the routes that name one of its permissions in `config.scopedPermission`, and
 * there it holds that permission whatever its owner's role. Runs on every request of an API-key principal.
 */
export async function enforceKeyScope(req: FastifyRequest): Promise<void> {
  if (req.principal?.via !== 'api-key') return
  const scopes = await keyScopes(req.server.knex, req.principal.credentialId)
  if (!scopes) return
  const wanted = req.routeOptions.config?.scopedPermission
  if (!wanted || !scopes.includes(wanted)) throw eventErrors.scopedKey(scopes)
}

/** preHandler of ingestion routes: admins by role, or a key scoped to `events:ingest`. */
export async function requireIngest(req: FastifyRequest): Promise<void> {
  const principal = req.principal
  if (!principal) throw unauthorized(req.authFailure ?? 'Authentication required')
  if (can(principal, 'events:ingest')) return
  const scopes = await keyScopes(req.server.knex, principal.credentialId)
  if (scopes?.includes('events:ingest')) return
  throw forbidden(`Your role (${principal.role}) does not allow events:ingest; use an API key scoped to it`)
}

/**
 * Creates an API key limited to `events:ingest` for a user (a SIEM's service account): the events it sends
 * belong to that user's organization. The key has the format of core/identity/api-keys.ts, so the api-key
 * strategy verifies it; only its scope row is new. Shown once.
 */
export async function createIngestKey(opts: {
  db: Knex
  actor: NonNullable<Actor>
  input: { name: string; userId?: string; expiresAt?: string }
}) {
  const { db, actor, input } = opts
  const userId = input.userId ?? actor.userId
  const owner = await db('users').where({ id: userId }).first('id', 'organization_id', 'is_active')
  if (!owner?.is_active) throw badRequest('CRISP_EVENTS_INVALID_KEY_OWNER', 'userId: an active user')
  const prefix = randomBytes(6).toString('hex')
  const key = `crisp_${prefix}_${randomBytes(32).toString('base64url')}`
  const hash = createHash('sha256').update(key).digest('hex')
  const row = await db.transaction(async (trx) => {
    const [created] = await trx('api_keys')
      .insert({
        user_id: userId,
        name: input.name,
        prefix,
        key_hash: hash,
        expires_at: input.expiresAt === undefined ? null : new Date(input.expiresAt),
      })
      .returning(['id', 'created_at', 'expires_at'])
    await trx('api_key_scopes').insert({ api_key_id: created.id, permissions: ['events:ingest'] })
    await recordAudit(trx, {
      action: 'api_key.create',
      ...auditActor(actor),
      targetType: 'api_key',
      targetId: created.id,
      details: { after: { name: input.name, prefix, userId, scopes: ['events:ingest'] } },
    })
    return created
  })
  return {
    key,
    id: row.id,
    organizationId: owner.organization_id,
    scopes: ['events:ingest'],
    expiresAt: row.expires_at?.toISOString() ?? null,
  }
}
