import type { Knex } from 'knex'

// How far the `anonymize.prefill` job (core/sharing/prefill.ts) has filled the stored anonymization output of a
// collection for one output variant: the (date_added, seq) keyset position of the last membership it read, so
// the next job starts after it instead of re-reading what is already filled. UNLOGGED like anonymized_objects,
// which it describes: after a crash PostgreSQL empties both, and the fill starts again from its horizon.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE UNLOGGED TABLE prefill_watermarks (
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    variant text NOT NULL,
    date_added timestamptz(6) NOT NULL,
    seq bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, variant)
  )`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS prefill_watermarks')
}
