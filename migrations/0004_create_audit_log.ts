import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  // No foreign keys: entries outlive the users and organizations they mention, and must never be rewritten.
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id')
    t.timestamp('at', { useTz: true, precision: 6 }).notNullable().defaultTo(knex.raw('clock_timestamp()'))
    t.uuid('actor_user_id')
    t.text('actor_email')
    t.uuid('actor_org_id')
    t.text('ip')
    t.text('action').notNullable()
    t.text('outcome').notNullable().defaultTo('success')
    t.text('target_type')
    t.text('target_id')
    t.jsonb('details').notNullable().defaultTo('{}')
    t.check(`outcome IN ('success', 'failure', 'denied')`, [], 'audit_log_outcome_valid')
    t.index(['at'])
    t.index(['action', 'at'])
    t.index(['actor_user_id', 'at'])
  })
  await knex.raw(`
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS audit_log; DROP FUNCTION IF EXISTS audit_log_is_append_only();')
}
