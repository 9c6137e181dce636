import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { AnonymizedWriter, pruneAnonymizedObjects, variantKey } from '../../core/sharing/anonymized-store.js'
import { readSharedPage } from '../../core/sharing/index.js'
import { deleteExpiredStatuses } from '../../core/taxii/status-store.js'
import type { StixObject } from '../../core/plugin-api/index.js'
import { buildTestApp } from '../helper.js'
import {
  basic,
  createCollection,
  indicator,
  MARK_LEVEL_PLUGINS,
  orgWithUsers,
  publishBundle,
  TAXII,
  trust,
} from '../taxii/fixtures.js'

type Org = Awaited<ReturnType<typeof orgWithUsers>>

async function taxiiRead(
  app: FastifyInstance,
  org: Org,
  collectionId: string,
): Promise<{ body: string; objects: StixObject[] }> {
  const res = await app.inject({
    url: `/taxii2/api/collections/${collectionId}/objects/`,
    headers: { accept: TAXII, authorization: basic(org.viewer) },
  })
  if (res.statusCode !== 200) throw new Error(res.body)
  return { body: res.body, objects: res.json().objects ?? [] }
}

const storedRows = (app: FastifyInstance) =>
  app
    .knex('anonymized_objects')
    .count<{ count: string }[]>('* as c')
    .then(([r]) => Number((r as unknown as { c: string }).c))

/** A producer with a `trusted` collection and a reader it trusts at medium, on the default strategy. */
async function producerAndReader(t: Parameters<typeof buildTestApp>[0]) {
  const { app } = await buildTestApp(t)
  const producer = await orgWithUsers(app, 'Producer')
  const reader = await orgWithUsers(app, 'Reader')
  await trust(app.knex, producer.orgId, reader.orgId, 'Medium trust')
  return { app, producer, reader, cid: await createCollection(app.knex, producer.orgId, 'trusted') }
}

t.test('the anonymized output of a version is stored once per variant and served again, identical', async (t) => {
  const { app, producer, reader, cid } = await producerAndReader(t)
  const objects = Array.from({ length: 5 }, (_, i) =>
    indicator({ name: `C2 203.0.113.${i}`, pattern: `[ipv4-addr:value = '203.0.113.${i}']` }),
  )
  await publishBundle(app, producer.publisher, cid, objects)

  const first = await taxiiRead(app, reader, cid)
  t.equal(first.objects.length, 5)
  await app.anonymizedOutput.flush()
  t.equal(await storedRows(app), 5, 'one stored output per version')

  // What is stored is exactly what the strategy makes of the version for this context.
  const anonymizer = app.registry.defaultAnonymizer().impl
  const fresh = objects.map((o) =>
    anonymizer.anonymize(o as StixObject, {
      level: 'medium',
      producerOrgId: producer.orgId,
      recipientOrgId: reader.orgId,
    }),
  )
  t.same(first.objects, fresh, 'first read: the strategy output')

  const page = await readSharedPage({
    knex: app.knex,
    registry: app.registry,
    principal: { orgId: reader.orgId },
    filter: { collectionIds: [cid] },
    order: 'date_added',
    limit: 100,
    textOnly: true,
  })
  t.ok(
    page.objects.every((o) => o.row.cached),
    'second read: every object comes from the stored output',
  )
  const second = await taxiiRead(app, reader, cid)
  t.equal(second.body, first.body, 'byte-identical envelope')
  await app.anonymizedOutput.flush()
  t.equal(await storedRows(app), 5, 'nothing stored twice')

  // The producer reads its own objects as stored, never through the anonymized output.
  const own = await taxiiRead(app, producer, cid)
  t.same(own.objects, objects)

  // A new trust level means a new variant: the reader gets the other level's output, not the stored one.
  const high = await app.knex('trust_levels').where({ name: 'High trust' }).first('id')
  if (!high) throw new Error('the default trust levels include High trust')
  await app
    .knex('trust_relationships')
    .where({ trustor_org_id: producer.orgId, trustee_org_id: reader.orgId })
    .update({ trust_level_id: high.id })
  const relevelled = await taxiiRead(app, reader, cid)
  const atLow = objects.map((o) =>
    anonymizer.anonymize(o as StixObject, {
      level: 'low',
      producerOrgId: producer.orgId,
      recipientOrgId: reader.orgId,
    }),
  )
  t.same(relevelled.objects, atLow, 'after the change: the new level')
  t.not(relevelled.body, first.body)
  await app.anonymizedOutput.flush()
  t.equal(await storedRows(app), 10, 'the new variant is stored beside the old one')

  // Exports read the same stored output.
  const token = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: reader.viewer.email, password: reader.viewer.password },
    })
  ).json().accessToken
  const exported = await app.inject({
    url: `/api/v1/exports/stix-bundle?collection=${cid}`,
    headers: { authorization: `Bearer ${token}` },
  })
  t.same(exported.json().objects, atLow, 'the STIX bundle export is the same output')
})

t.test('stored output never bypasses the sharing policy: TLP and visibility are decided on every read', async (t) => {
  const { app } = await buildTestApp(t)
  const producer = await orgWithUsers(app, 'Producer')
  const partner = await orgWithUsers(app, 'Partner trusted at full')
  const stranger = await orgWithUsers(app, 'Stranger')
  // Partner (relationship at level full) and stranger (no relationship: default level full) share one variant.
  const [{ id: fullLevel }] = await app
    .knex('trust_levels')
    .insert({ name: 'Full only', level: 1, anonymization_level: 'full' })
    .returning('id')
  await app
    .knex('trust_relationships')
    .insert({ trustor_org_id: producer.orgId, trustee_org_id: partner.orgId, trust_level_id: fullLevel })
  const cid = await createCollection(app.knex, producer.orgId, 'public')
  const amber = indicator({ object_marking_refs: [TLP_MARKING_IDS.amber] })
  const green = indicator({ object_marking_refs: [TLP_MARKING_IDS.green] })
  await publishBundle(app, producer.publisher, cid, [amber, green])

  t.equal((await taxiiRead(app, partner, cid)).objects.length, 2, 'the partner gets AMBER and GREEN')
  await app.anonymizedOutput.flush()
  t.equal(await storedRows(app), 2)
  const strangerObjects = (await taxiiRead(app, stranger, cid)).objects
  t.equal(strangerObjects.length, 1, 'the stranger gets GREEN only, although AMBER output is stored for its variant')
  t.equal(strangerObjects[0].id, (await taxiiRead(app, partner, cid)).objects[1].id)

  await app.knex('collections').where({ id: cid }).update({ visibility: 'private' })
  t.equal(
    (await taxiiRead(app, partner, cid).catch((e: Error) => ({ objects: [], err: e }))).objects.length,
    0,
    'private again: nothing, stored output or not',
  )
})

t.test('a strategy that names no output variant is called every time and nothing is stored', async (t) => {
  const { app } = await buildTestApp(t, { plugins: MARK_LEVEL_PLUGINS })
  const anonymizer = app.registry.defaultAnonymizer()
  t.equal(variantKey(anonymizer, { level: 'medium', producerOrgId: 'a', recipientOrgId: 'b' }), null)
  const producer = await orgWithUsers(app, 'Producer')
  const reader = await orgWithUsers(app, 'Reader')
  await trust(app.knex, producer.orgId, reader.orgId, 'Medium trust')
  const cid = await createCollection(app.knex, producer.orgId, 'trusted')
  await publishBundle(app, producer.publisher, cid, [indicator(), indicator()])
  await taxiiRead(app, reader, cid)
  await taxiiRead(app, reader, cid)
  await app.anonymizedOutput.flush()
  t.equal(await storedRows(app), 0)
})

t.test(
  'variant keys: per level, key and configuration; per recipient only with recipient-scoped pseudonyms',
  async (t) => {
    const { app } = await buildTestApp(t)
    const anonymizer = app.registry.defaultAnonymizer()
    const key = (level: 'low' | 'medium', recipientOrgId: string) =>
      variantKey(anonymizer, { level, producerOrgId: 'p', recipientOrgId })
    t.match(key('low', 'r1'), /^[A-Za-z0-9_-]{22}$/)
    t.equal(key('low', 'r1'), key('low', 'r2'), 'platform scope: one variant for every recipient')
    t.not(key('low', 'r1'), key('medium', 'r1'), 'levels differ')

    const scoped = await buildTestApp(t, {
      plugins: {
        plugins: [{ kind: 'anonymization-strategy', id: 'trust-levels', config: { pseudonymScope: 'recipient' } }],
      },
    })
    const scopedKey = (recipientOrgId: string) =>
      variantKey(scoped.app.registry.defaultAnonymizer(), { level: 'low', producerOrgId: 'p', recipientOrgId })
    t.not(scopedKey('r1'), scopedKey('r2'), 'recipient scope: one variant per recipient')
    t.not(scopedKey('r1'), key('low', 'r1'), 'another configuration, another variant')
    const rotated = await buildTestApp(t, {
      env: { CRISP_ANONYMIZATION_KEY: 'another-anonymization-key-0123456789abcdef' },
    })
    t.not(
      variantKey(rotated.app.registry.defaultAnonymizer(), { level: 'low', producerOrgId: 'p', recipientOrgId: 'r1' }),
      key('low', 'r1'),
      'another key, another variant',
    )
  },
)

t.test(
  'maintenance removes old stored output and expired TAXII statuses; a deleted version takes its output along',
  async (t) => {
    const { app, producer, reader, cid } = await producerAndReader(t)
    await publishBundle(app, producer.publisher, cid, [indicator(), indicator(), indicator()])
    await taxiiRead(app, reader, cid)
    await app.anonymizedOutput.flush()
    t.equal(await storedRows(app), 3)
    await app
      .knex('anonymized_objects')
      .update({ created_at: app.knex.raw(`now() - interval '31 days'`) })
      .whereIn('object_pk', app.knex('anonymized_objects').select('object_pk').limit(2))
    t.equal(await pruneAnonymizedObjects(app.knex, 30), 2)
    t.equal(await storedRows(app), 1)
    await app.knex('stix_objects').whereIn('pk', app.knex('anonymized_objects').select('object_pk')).delete()
    t.equal(await storedRows(app), 0, 'cascade')

    const post = await app.inject({
      method: 'POST',
      url: `/taxii2/api/collections/${cid}/objects/`,
      headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(producer.publisher) },
      payload: { objects: [indicator()] },
    })
    t.equal(post.statusCode, 202, post.body)
    t.equal(await deleteExpiredStatuses(app.knex), 0, 'a fresh status stays')
    await app.knex('taxii_statuses').update({ expires_at: app.knex.raw(`now() - interval '1 minute'`) })
    t.equal(await deleteExpiredStatuses(app.knex), 1, 'an expired one goes')
    const gone = await app.inject({
      url: `/taxii2/api/status/${post.json().id}/`,
      headers: { accept: TAXII, authorization: basic(producer.publisher) },
    })
    t.equal(gone.statusCode, 404)
  },
)

t.test(
  'the write-behind queue: a failed write or a full queue is reported, never thrown, and loses nothing stored',
  async (t) => {
    const { app, producer, reader, cid } = await producerAndReader(t)
    await publishBundle(app, producer.publisher, cid, [indicator()])
    await taxiiRead(app, reader, cid)
    await app.anonymizedOutput.flush()
    const [stored] = await app.knex('anonymized_objects').select('object_pk', 'variant')
    const errors: string[] = []
    const writer = new AnonymizedWriter(app.knex, (err) => errors.push((err as Error).message))
    const entry = (objectPk: string) => ({
      objectPk,
      variant: stored.variant,
      anonymizedId: 'indicator--x',
      document: '{}',
    })

    writer.add([entry('999999999')])
    await writer.flush()
    t.match(errors[0] ?? '', /foreign key/, 'a version that does not exist: reported')
    writer.add([entry(stored.object_pk)])
    await writer.flush()
    t.equal(errors.length, 1, 'an output already stored: nothing to report')
    t.not(
      (await app.knex('anonymized_objects').where({ object_pk: stored.object_pk }).first('document'))?.document ?? '{}',
      '{}',
      'the stored output is kept',
    )

    writer.add(Array.from({ length: 20_001 }, () => entry('999999999')))
    t.match(errors.at(-1) ?? '', /queue full: 1 outputs not stored/)
    await writer.flush()
  },
)
