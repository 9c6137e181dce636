import type { Knex } from 'knex'

/**
 * `collection_objects.latest`: the membership holds the newest version of its object in that collection (ties
 * included). Every default TAXII/REST/export read asks for the last version only; probing each row of a page for
 * a newer version in its collection cost about a quarter of PostgreSQL's time per page (docs/BENCHMARKS.md,
 * issue 18 round four). The flag is kept by statement-level triggers, so every way memberships change — the
 * store, TAXII deletes, a collection's or a version's removal, plain SQL — keeps it true, and one statement's
 * rows are settled once (a batch of a thousand, not a thousand single-row checks).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE collection_objects ADD COLUMN latest boolean NOT NULL DEFAULT true;

    -- Settles the flag of every membership of the given (collection, object id) pairs; writes only rows that change.
    CREATE FUNCTION collection_objects_settle_latest(collection_ids uuid[], stix_ids text[]) RETURNS void
    LANGUAGE sql AS $$
      WITH keys AS (
        SELECT DISTINCT k.collection_id, k.stix_id FROM unnest(collection_ids, stix_ids) AS k(collection_id, stix_id)
      ), members AS (
        SELECT co.collection_id, co.object_pk, co.latest,
               s.version = max(s.version) OVER (PARTITION BY co.collection_id, s.stix_id) AS newest
        FROM keys k
        JOIN stix_objects s ON s.stix_id = k.stix_id
        JOIN collection_objects co ON co.collection_id = k.collection_id AND co.object_pk = s.pk
      )
      UPDATE collection_objects co SET latest = m.newest
      FROM members m
      WHERE co.collection_id = m.collection_id AND co.object_pk = m.object_pk AND m.latest <> m.newest
    $$;

    -- Added memberships may be older than one present, or newer; a removed one matters only if it was the newest.
    CREATE FUNCTION collection_objects_latest_after_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM collection_objects_settle_latest(array_agg(c.collection_id), array_agg(s.stix_id))
      FROM changed c JOIN stix_objects s ON s.pk = c.object_pk
      WHERE TG_OP = 'INSERT' OR c.latest;
      RETURN NULL;
    END $$;

    -- A removed version takes its memberships with it (ON DELETE CASCADE), whose object ids are then gone from
    -- stix_objects: the remaining versions of those ids are settled from here.
    CREATE FUNCTION stix_objects_latest_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM collection_objects_settle_latest(array_agg(co.collection_id), array_agg(s.stix_id))
      FROM (SELECT DISTINCT stix_id FROM removed) r
      JOIN stix_objects s ON s.stix_id = r.stix_id
      JOIN collection_objects co ON co.object_pk = s.pk;
      RETURN NULL;
    END $$;

    CREATE TRIGGER collection_objects_latest_after_insert AFTER INSERT ON collection_objects
      REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION collection_objects_latest_after_change();
    CREATE TRIGGER collection_objects_latest_after_delete AFTER DELETE ON collection_objects
      REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION collection_objects_latest_after_change();
    CREATE TRIGGER stix_objects_latest_after_delete AFTER DELETE ON stix_objects
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stix_objects_latest_after_delete();

    UPDATE collection_objects co SET latest = false
    FROM stix_objects s
    WHERE s.pk = co.object_pk
      AND EXISTS (SELECT 1 FROM stix_objects s2 JOIN collection_objects co2 ON co2.object_pk = s2.pk
                  AND co2.collection_id = co.collection_id WHERE s2.stix_id = s.stix_id AND s2.version > s.version);
  `)
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER IF EXISTS stix_objects_latest_after_delete ON stix_objects;
    DROP TRIGGER IF EXISTS collection_objects_latest_after_delete ON collection_objects;
    DROP TRIGGER IF EXISTS collection_objects_latest_after_insert ON collection_objects;
    DROP FUNCTION IF EXISTS stix_objects_latest_after_delete();
    DROP FUNCTION IF EXISTS collection_objects_latest_after_change();
    DROP FUNCTION IF EXISTS collection_objects_settle_latest(uuid[], text[]);
    ALTER TABLE collection_objects DROP COLUMN IF EXISTS latest;
  `)
}
