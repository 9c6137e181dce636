import type { Knex } from 'knex'

// What the anonymization strategy made of a version for one output variant (core/sharing/anonymized-store.ts):
// versions never change, so the egress pipeline serves this text again instead of parsing and rewriting the
// version for every reader at the same level. `document` null = the strategy withholds the object. Rows are a
// cache: dropping any of them only costs a recomputation; they go with their version (cascade) and after
// CRISP's retention (maintenance tick). UNLOGGED for the same reason: no WAL for what can be recomputed
// (PostgreSQL empties it after a crash; CRISP reads no hot standby, where unlogged tables cannot be read).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE UNLOGGED TABLE anonymized_objects (
    object_pk bigint NOT NULL REFERENCES stix_objects (pk) ON DELETE CASCADE,
    variant text NOT NULL,
    anonymized_id text NOT NULL,
    document text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (object_pk, variant)
  )`)
  await knex.raw('CREATE INDEX anonymized_objects_created_at ON anonymized_objects (created_at)')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS anonymized_objects')
}
