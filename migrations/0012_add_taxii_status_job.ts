import type { Knex } from 'knex'

// The pg-boss job that stores a pending add request. The status row commits before its job is sent (the job
// must find it); a request whose job was never recorded — the send failed, or the process died in between —
// is sent again by the maintenance tick (core/taxii/ingest-job.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE taxii_statuses ADD COLUMN job_id text')
  await knex.raw(
    `CREATE INDEX taxii_statuses_unsent ON taxii_statuses (request_timestamp) WHERE status = 'pending' AND job_id IS NULL`,
  )
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS taxii_statuses_unsent')
  await knex.raw('ALTER TABLE taxii_statuses DROP COLUMN IF EXISTS job_id')
}
