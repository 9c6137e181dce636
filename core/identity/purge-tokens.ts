import type { Knex } from 'knex'

/**
 * Deletes refresh tokens (used, revoked or never used) that expired more than `graceSeconds` ago. Until a token
 * expires its row is still needed: a used one detects reuse, a revoked one keeps its family's access tokens
 * revoked (core/identity/sessions.ts). Access tokens issued with the family's last refresh die at most one
 * access-token lifetime later, so that lifetime is the grace. Returns how many rows went.
 */
export async function purgeExpiredTokens(knex: Knex, options: { graceSeconds: number }): Promise<number> {
  return knex('refresh_tokens')
    .where('expires_at', '<', knex.raw('now() - make_interval(secs => ?)', [options.graceSeconds]))
    .delete()
}
