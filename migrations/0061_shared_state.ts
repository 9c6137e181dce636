import type { Knex } from 'knex'

// State several API nodes must share lives in PostgreSQL (docs/operations.md, "Running several nodes"):
// - login_failures: the failed-login limiter, one row per key (`ip:…`, `account:…`) with its recent failure
//   times (at most the limit's `max`), written by one atomic upsert; `expires_at` lets expired rows be purged.
// - console_sessions: the admin console's sessions (@fastify/session's store), so a console user is signed in on
//   every node and a logout on one ends the session on all.
// - crisp_auth_changed(): notifies channel `crisp_auth` when a credential check's answer changes (a user's state,
//   a refresh-token family revoked, an API key revoked, changed or deleted). The notification is sent at commit
//   by whatever wrote the row (API, console, CLI, SQL), and every node drops its cached answer
//   (core/identity/auth-cache-sync.ts). Frozen here on purpose: the payloads are `user:<id>`, `session:<id>`,
//   `api_key:<id>`.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_failures', (t) => {
    t.text('key').primary()
    t.specificType('failed_at', 'timestamptz[]').notNullable()
    t.timestamp('expires_at', { useTz: true }).notNullable().index()
  })
  await knex.schema.createTable('console_sessions', (t) => {
    t.text('id').primary()
    t.jsonb('data').notNullable()
    t.timestamp('expires_at', { useTz: true }).notNullable().index()
  })
  await knex.raw(`
    CREATE FUNCTION crisp_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'users' THEN
        IF TG_OP = 'DELETE' OR (OLD.is_active, OLD.role, OLD.organization_id, OLD.email, OLD.token_version)
            IS DISTINCT FROM (NEW.is_active, NEW.role, NEW.organization_id, NEW.email, NEW.token_version) THEN
          PERFORM pg_notify('crisp_auth', 'user:' || OLD.id);
        END IF;
      ELSIF TG_TABLE_NAME = 'refresh_tokens' THEN
        IF OLD.revoked_at IS DISTINCT FROM NEW.revoked_at THEN
          PERFORM pg_notify('crisp_auth', 'session:' || OLD.family_id);
        END IF;
      ELSIF TG_TABLE_NAME = 'api_keys' THEN
        IF TG_OP = 'DELETE' OR (OLD.revoked_at, OLD.expires_at) IS DISTINCT FROM (NEW.revoked_at, NEW.expires_at) THEN
          PERFORM pg_notify('crisp_auth', 'api_key:' || OLD.id);
        END IF;
      END IF;
      RETURN NULL;
    END $$
  `)
  await knex.raw(`CREATE TRIGGER users_auth_changed AFTER UPDATE OF is_active, role, organization_id, email, token_version OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION crisp_auth_changed()`)
  // Not on DELETE: purging expired tokens must not flood the channel, and a purged family's access tokens expired long before.
  await knex.raw(`CREATE TRIGGER refresh_tokens_auth_changed AFTER UPDATE OF revoked_at ON refresh_tokens
    FOR EACH ROW EXECUTE FUNCTION crisp_auth_changed()`)
  await knex.raw(`CREATE TRIGGER api_keys_auth_changed AFTER UPDATE OF revoked_at, expires_at OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION crisp_auth_changed()`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS api_keys_auth_changed ON api_keys')
  await knex.raw('DROP TRIGGER IF EXISTS refresh_tokens_auth_changed ON refresh_tokens')
  await knex.raw('DROP TRIGGER IF EXISTS users_auth_changed ON users')
  await knex.raw('DROP FUNCTION IF EXISTS crisp_auth_changed()')
  await knex.schema.dropTableIfExists('console_sessions')
  await knex.schema.dropTableIfExists('login_failures')
}
