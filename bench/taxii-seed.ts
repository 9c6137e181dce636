import { randomUUID } from 'node:crypto'
import { hashPassword } from '../core/identity/passwords.js'
import type { Knex } from 'knex'

const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'

/**
 * Indicators built by PostgreSQL (INSERT … SELECT generate_series), with unique date_added 1 µs apart, added to
 * the collection after what it holds. `first`: how many earlier calls made (their ids are not made again).
 */
export async function seedIndicators(
  knex: Knex,
  producerOrg: string,
  collectionId: string,
  count: number,
  first = 0,
): Promise<void> {
  const {
    rows: [{ before }],
  } = await knex.raw<{ rows: { before: string }[] }>('SELECT coalesce(max(pk), 0)::text AS before FROM stix_objects')
  const ip = `(i % 223 + 1) || '.' || (i / 223 % 256) || '.' || (i / 57089 % 256) || '.' || (i % 251)`
  const uuid = `'00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0')`
  for (let from = first + 1; from <= first + count; from += 250_000) {
    const to = Math.min(first + count, from + 249_999)
    await knex.raw(
      `
      INSERT INTO stix_objects (stix_id, version, type, spec_version, producer_org_id, tlp, labels, created, name, document)
      SELECT d->>'id', '2024-03-05T10:00:00Z', 'indicator', '2.1', :org, 'green', ARRAY['malicious-activity'], '2024-03-05T10:00:00Z', d->>'name', d
      FROM (SELECT jsonb_build_object('type', 'indicator', 'spec_version', '2.1', 'id', 'indicator--' || ${uuid},
          'created', '2024-03-05T10:00:00.000Z', 'modified', '2024-03-05T10:00:00.000Z', 'name', 'C2 host' || i || '.example.com',
          'description', 'Command and control server seen at ' || ${ip},
          'pattern', '[ipv4-addr:value = ''' || ${ip} || ''']', 'pattern_type', 'stix', 'valid_from', '2024-03-05T10:00:00Z',
          'indicator_types', jsonb_build_array('malicious-activity'), 'labels', jsonb_build_array('malicious-activity'),
          'confidence', 70, 'object_marking_refs', jsonb_build_array('${GREEN}')) AS d
        FROM generate_series(:from::int, :to::int) AS i) AS g`,
      { org: producerOrg, from, to },
    )
  }
  await knex.raw(
    `INSERT INTO collection_objects (collection_id, object_pk, date_added)
    SELECT :collectionId, pk, '2024-03-05T10:00:00Z'::timestamptz + pk * interval '1 microsecond' FROM stix_objects
      WHERE pk > :before::bigint ORDER BY pk`,
    { collectionId, before },
  )
  // The seed is no part of what is measured: its vacuum (visibility map, statistics) and its checkpoint are done
  // here, not by autovacuum and the checkpointer in the middle of a walk whose p99 they would set.
  await knex.raw('VACUUM (ANALYZE) stix_objects, collection_objects, anonymized_objects')
  await knex.raw('CHECKPOINT')
}

let n = 0
/** Fresh, valid indicators of about the seeded size, for POST. */
export function makeIndicators(count: number): object[] {
  return Array.from({ length: count }, () => {
    n++
    const ip = `${(n % 223) + 1}.${(n >> 8) % 256}.${(n >> 16) % 256}.${n % 251}`
    return {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created: '2024-03-05T10:00:00.000Z',
      modified: '2024-03-05T10:00:00.000Z',
      name: `C2 host${n}.example.com`,
      description: `Command and control server seen at ${ip}`,
      pattern: `[ipv4-addr:value = '${ip}']`,
      pattern_type: 'stix',
      valid_from: '2024-03-05T10:00:00Z',
      indicator_types: ['malicious-activity'],
      labels: ['malicious-activity'],
      confidence: 70,
      object_marking_refs: [GREEN],
    }
  })
}

/** The password of the users {@link seedReaderPair} makes. */
export const BENCH_PASSWORD = 'Bench-Password-42-Correct'

/**
 * A producer trusting a reader at the `medium` level the migrations seed, a publisher and a viewer user
 * (`pub@bench.test`, `reader@bench.test`, password {@link BENCH_PASSWORD}) and a `trusted` collection of the
 * producer's: what the TAXII and metrics benchmarks read through HTTP.
 */
export async function seedReaderPair(knex: Knex): Promise<{ producer: string; reader: string; collectionId: string }> {
  const [producerRow] = await knex('organizations').insert({ name: 'producer' }).returning('id')
  const [readerRow] = await knex('organizations').insert({ name: 'reader' }).returning('id')
  const level = await knex('trust_levels').where({ anonymization_level: 'medium' }).first('id')
  if (!producerRow || !readerRow) throw new Error('seeding the organizations returned no ids')
  if (!level) throw new Error('no trust level at medium: the migrations seed one')
  const producer = producerRow.id
  const reader = readerRow.id
  await knex('trust_relationships').insert({
    trustor_org_id: producer,
    trustee_org_id: reader,
    trust_level_id: level.id,
  })
  const hash = await hashPassword(BENCH_PASSWORD)
  await knex('users').insert([
    { organization_id: producer, email: 'pub@bench.test', role: 'publisher', password_hash: hash },
    { organization_id: reader, email: 'reader@bench.test', role: 'viewer', password_hash: hash },
  ])
  const [collection] = await knex('collections')
    .insert({ organization_id: producer, title: 'bench', visibility: 'trusted' })
    .returning('id')
  if (!collection) throw new Error('seeding the bench collection returned no id')
  return { producer, reader, collectionId: collection.id }
}
