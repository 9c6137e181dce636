import t from 'tap'
import { storeObjects } from '../../core/store/index.js'
import { buildTestApp, createUser, loginAs } from '../helper.js'
import { seedTrustPair } from '../exports/seed.js'
import { indicator } from '../taxii/fixtures.js'

// The depth limit stops new deep objects; a row stored before it existed (here: written past the store) must
// still not break a partner's reads. No migration rewrites such rows: readers cope with them.

const LEVELS = 3000

t.test('a version nested 3000 levels deep, stored before the limit, breaks no read', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const { producerOrg, readerOrg, collectionId } = await seedTrustPair(knex)
  const deep = indicator()
  const plain = indicator()
  t.same(
    (await storeObjects({ db: knex, collectionId, producerOrgId: producerOrg, objects: [deep, plain] })).map(
      (r) => r.status,
    ),
    ['new', 'new'],
  )
  const nested = `${'{"x_deeper":'.repeat(LEVELS)}"x"${'}'.repeat(LEVELS)}`
  await knex('stix_objects')
    .where({ stix_id: String(deep.id) })
    .update({ document: knex.raw(`jsonb_set(document, '{x_nested}', ?::jsonb)`, [nested]) })

  const reader = await createUser(app, { orgId: readerOrg, role: 'viewer' })
  const headers = { authorization: `Bearer ${await loginAs(app, reader)}` }
  const taxii = {
    accept: 'application/taxii+json;version=2.1',
    authorization: `Basic ${Buffer.from(`${reader.email}:${reader.password}`).toString('base64')}`,
  }
  const reads: [string, Record<string, string>][] = [
    ['/api/v1/objects', headers],
    [`/api/v1/objects/${plain.id}`, headers],
    [`/taxii2/api/collections/${collectionId}/objects/`, taxii],
    [`/taxii2/api/collections/${collectionId}/manifest/`, taxii],
    ...['stix-bundle', 'csv', 'misp', 'suricata'].map((format): [string, Record<string, string>] => [
      `/api/v1/exports/${format}`,
      headers,
    ]),
  ]
  for (const [url, h] of reads) {
    const res = await app.inject({ url, headers: h })
    t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`)
    t.ok(res.body.includes(String(plain.id)), `${url} still serves the other object`)
  }
})
