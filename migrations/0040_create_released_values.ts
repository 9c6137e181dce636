import type { Knex } from 'knex'

// The index event matching probes (core/events/match/released-index.ts): the observable values of what each
// output variant of the egress pipeline releases — the anonymized values (a /16, never a pseudonym) for
// anonymized readers, the stored ones for the owner ('raw') — keyed by value, so a matching pass costs its
// events, not the store. Derived from stored output like anonymized_objects, so UNLOGGED as well: all three
// tables are emptied together after a crash and refilled on the next pass. The sharing decision (visibility,
// TLP, trust) is never stored here: it is made again for every candidate.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE UNLOGGED TABLE released_values (
    kind text NOT NULL,
    value text NOT NULL,
    variant text NOT NULL,
    object_pk bigint NOT NULL REFERENCES stix_objects (pk) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, variant, object_pk)
  )`)
  await knex.raw('CREATE INDEX released_values_object ON released_values (object_pk)')
  // Versions already indexed for a variant (with or without values): what a fill skips.
  await knex.raw(`CREATE UNLOGGED TABLE released_value_objects (
    object_pk bigint NOT NULL REFERENCES stix_objects (pk) ON DELETE CASCADE,
    variant text NOT NULL,
    PRIMARY KEY (object_pk, variant)
  )`)
  // How far each (collection, variant) is indexed (membership seq), and the address prefix lengths it holds.
  await knex.raw(`CREATE UNLOGGED TABLE released_value_fills (
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    variant text NOT NULL,
    seq bigint NOT NULL DEFAULT 0,
    prefixes text[] NOT NULL DEFAULT '{}',
    scanned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, variant)
  )`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS released_value_fills, released_value_objects, released_values')
}
