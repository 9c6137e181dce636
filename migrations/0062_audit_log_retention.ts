import type { Knex } from 'knex'

/**
 * The audit log stays append-only (UPDATE and TRUNCATE refused, as in 0004), with one way to delete: the
 * `audit_log_purge(ids)` function that the retention task calls after it archived those entries to a file
 * (core/audit/retention.ts). The function raises a transaction-local flag that the trigger honours, so a plain
 * `DELETE FROM audit_log` from ordinary code still fails. (A guard against mistakes, not against the database
 * owner, who can always drop the trigger.)
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND current_setting('crisp.audit_log_purge', true) = 'on' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE FUNCTION audit_log_purge(ids bigint[]) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, public AS $$
    DECLARE
      deleted bigint;
    BEGIN
      PERFORM set_config('crisp.audit_log_purge', 'on', true);
      DELETE FROM audit_log WHERE id = ANY(ids);
      GET DIAGNOSTICS deleted = ROW_COUNT;
      PERFORM set_config('crisp.audit_log_purge', '', true);
      RETURN deleted;
    END $$;
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION IF EXISTS audit_log_purge(bigint[]);
    CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
  `)
}
