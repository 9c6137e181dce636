/** Two organizations, a trust relationship at `medium` from producer to reader, and a trusted collection of samples. */
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { AnonymizationLevel } from '../../core/plugin-api/types.js'
import { storeObjects } from '../../core/store/index.js'
import { createOrg, createUser, loginAs, type TestUser } from '../helper.js'
import { sampleObjects } from './samples.js'

export interface ExportWorld {
  producer: TestUser
  reader: TestUser
  readerColleague: TestUser
  collectionId: string
  tokens: { producer: string; reader: string; readerColleague: string }
}

export async function seedTrustPair(
  knex: Knex,
  level: AnonymizationLevel = 'medium',
): Promise<{ producerOrg: string; readerOrg: string; collectionId: string }> {
  const producerOrg = await createOrg(knex, 'Producer Org')
  const readerOrg = await createOrg(knex, 'Reader Org')
  const [tl] = await knex('trust_levels')
    .insert({ name: `Partner ${level}`, level: 3, anonymization_level: level })
    .returning('id')
  await knex('trust_relationships').insert({
    trustor_org_id: producerOrg,
    trustee_org_id: readerOrg,
    trust_level_id: tl.id,
  })
  const [c] = await knex('collections')
    .insert({ organization_id: producerOrg, title: 'Shared, "daily"', visibility: 'trusted' })
    .returning('id')
  return { producerOrg, readerOrg, collectionId: c.id }
}

export async function seedExportWorld(app: FastifyInstance): Promise<ExportWorld> {
  const { producerOrg, readerOrg, collectionId } = await seedTrustPair(app.knex)
  const results = await storeObjects({ db: app.knex, collectionId, producerOrgId: producerOrg, objects: sampleObjects })
  const rejected = results.filter((r) => r.status === 'rejected')
  if (rejected.length) throw new Error(`seed rejected: ${JSON.stringify(rejected)}`)
  const producer = await createUser(app, { orgId: producerOrg, role: 'viewer' })
  const reader = await createUser(app, { orgId: readerOrg, role: 'viewer' })
  const readerColleague = await createUser(app, { orgId: readerOrg, role: 'viewer' })
  const tokens = {
    producer: await loginAs(app, producer),
    reader: await loginAs(app, reader),
    readerColleague: await loginAs(app, readerColleague),
  }
  return { producer, reader, readerColleague, collectionId, tokens }
}
