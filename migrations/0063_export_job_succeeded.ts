import type { Knex } from 'knex'

/**
 * One word for a finished job across the API (docs/api.md): an export that finished is `succeeded`, as a feed
 * run is, no longer `done`. Rows and the CHECK constraint change together, in one transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE export_jobs DROP CONSTRAINT export_jobs_status_valid;
    UPDATE export_jobs SET status = 'succeeded' WHERE status = 'done';
    ALTER TABLE export_jobs ADD CONSTRAINT export_jobs_status_valid CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'expired'));
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE export_jobs DROP CONSTRAINT export_jobs_status_valid;
    UPDATE export_jobs SET status = 'done' WHERE status = 'succeeded';
    ALTER TABLE export_jobs ADD CONSTRAINT export_jobs_status_valid CHECK (status IN ('queued', 'running', 'done', 'failed', 'expired'));
  `)
}
