import type { Knex } from 'knex'
import path from 'node:path'
import { startEmbeddedPostgres } from '../core/infra/embedded-postgres.js'
import { freePort } from './free-port.js'

/**
 * The database a benchmark runs against: DATABASE_URL when set, else a throw-away embedded PostgreSQL in
 * `scratch` (durable settings, as in use; deleted by `stop`).
 */
export async function benchDatabase(scratch: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined }
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'pg'),
    port: await freePort(),
    ephemeral: false,
    throwAway: true,
  })
  return { url: embedded.adminUrl(), stop: embedded.stop }
}

/**
 * A producer organization trusting a reader at `medium`, and a `trusted` collection of the producer's: the
 * sharing pair the events and export benchmarks read through (the reader sees the producer's objects anonymized).
 */
export async function seedSharingPair(
  knex: Knex,
): Promise<{ producerOrg: string; readerOrg: string; collectionId: string }> {
  const [producer] = await knex('organizations')
    .insert({ name: `producer ${Date.now()}` })
    .returning('id')
  const [reader] = await knex('organizations')
    .insert({ name: `reader ${Date.now()}` })
    .returning('id')
  const [level] = await knex('trust_levels')
    .insert({ name: `bench medium ${Date.now()}`, level: 3, anonymization_level: 'medium' })
    .returning('id')
  if (!producer || !reader || !level) throw new Error('seeding the sharing pair returned no ids')
  await knex('trust_relationships').insert({
    trustor_org_id: producer.id,
    trustee_org_id: reader.id,
    trust_level_id: level.id,
  })
  const [collection] = await knex('collections')
    .insert({ organization_id: producer.id, title: 'bench', visibility: 'trusted' })
    .returning('id')
  if (!collection) throw new Error('seeding the bench collection returned no id')
  return { producerOrg: producer.id, readerOrg: reader.id, collectionId: collection.id }
}
