import type { Knex } from 'knex'

const NOT_QUEUED = 'its job was never sent; run it again'

/**
 * Jobs are now enqueued in the transaction that writes their row (core/infra/enqueue.ts), so no row waits for
 * a job any more and the `job_id` markers the resend sweepers looked for go. Rows left waiting by the old code
 * (their sender died between commit and send) would wait forever without the sweepers: they are ended here, a
 * queued feed run as failed (it would block the feed's next run), a pending TAXII request as complete with
 * every waiting object failed (a polling client finishes).
 */
export async function up(knex: Knex): Promise<void> {
  await knex('feed_runs')
    .where({ status: 'queued' })
    .whereNull('job_id')
    .update({ status: 'failed', error: NOT_QUEUED, finished_at: knex.fn.now() })
  await knex.raw(
    `UPDATE taxii_statuses SET
       status = 'complete',
       failures = failures || coalesce((
         SELECT jsonb_agg(p.detail || jsonb_build_object('message', ?::text) ORDER BY p.ord)
         FROM jsonb_array_elements(pendings) WITH ORDINALITY AS p(detail, ord)), '[]'::jsonb),
       failure_count = failure_count + pending_count, pending_count = 0, pendings = '[]', payload = NULL
     WHERE status = 'pending' AND job_id IS NULL`,
    ['not stored: the server could not process this add request; send the objects again'],
  )
  await knex.raw('DROP INDEX IF EXISTS taxii_statuses_unsent')
  await knex.raw('ALTER TABLE taxii_statuses DROP COLUMN job_id')
  await knex.raw('ALTER TABLE feed_runs DROP COLUMN job_id')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE feed_runs ADD COLUMN job_id text')
  await knex.raw('ALTER TABLE taxii_statuses ADD COLUMN job_id text')
  await knex.raw(
    `CREATE INDEX taxii_statuses_unsent ON taxii_statuses (request_timestamp) WHERE status = 'pending' AND job_id IS NULL`,
  )
}
