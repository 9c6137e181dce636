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

    -- Settles the flag of every membership of the given (collection, object id) pairs. Written as per-key index
    -- probes (LATERAL) and an update of only the rows that change: the planner knows nothing of a statement's
    -- transition table and would otherwise hash-join a batch of a thousand against the whole table.
    CREATE FUNCTION collection_objects_settle_latest(collection_ids uuid[], stix_ids text[]) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
      changed_collections uuid[];
      changed_pks bigint[];
      changed_flags boolean[];
    BEGIN
      SELECT array_agg(k.collection_id), array_agg(m.object_pk), array_agg(m.newest)
        INTO changed_collections, changed_pks, changed_flags
      FROM (SELECT DISTINCT * FROM unnest(collection_ids, stix_ids) AS u(collection_id, stix_id)) k
      CROSS JOIN LATERAL (
        SELECT co.object_pk, co.latest, s.version = max(s.version) OVER () AS newest
        FROM stix_objects s JOIN collection_objects co ON co.collection_id = k.collection_id AND co.object_pk = s.pk
        WHERE s.stix_id = k.stix_id
      ) m
      WHERE m.latest <> m.newest;
      IF changed_pks IS NULL THEN RETURN; END IF;
      UPDATE collection_objects co SET latest = c.latest
      FROM unnest(changed_collections, changed_pks, changed_flags) AS c(collection_id, object_pk, latest)
      WHERE co.collection_id = c.collection_id AND co.object_pk = c.object_pk;
    END $$;

    -- An added membership matters only when its object has other versions (a first ingest has none); a removed
    -- one only if it was the newest. Each LATERAL … LIMIT stays a per-row index probe: a plain join or EXISTS is
    -- planned as a hash join against a scan of the whole table (first ingest at 60 % of its speed).
    CREATE FUNCTION collection_objects_latest_after_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM collection_objects_settle_latest(array_agg(c.collection_id), array_agg(s.stix_id))
      FROM changed c
      CROSS JOIN LATERAL (
        SELECT stix_id, version, producer_org_id FROM stix_objects WHERE pk = c.object_pk LIMIT 1) s
      CROSS JOIN LATERAL (
        SELECT 1 FROM stix_objects o
        WHERE o.stix_id = s.stix_id AND (o.version, o.producer_org_id) <> (s.version, s.producer_org_id) LIMIT 1) other
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
      CROSS JOIN LATERAL (SELECT pk, stix_id FROM stix_objects WHERE stix_id = r.stix_id OFFSET 0) s
      CROSS JOIN LATERAL (SELECT collection_id FROM collection_objects WHERE object_pk = s.pk OFFSET 0) co;
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
