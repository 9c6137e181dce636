import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { variantKey } from '../../core/sharing/anonymized-store.js'
import { prefillCollection } from '../../core/sharing/prefill.js'
import type { StixObject } from '../../core/plugin-api/index.js'
import { buildTestApp } from '../helper.js'
import { basic, createCollection, indicator, orgWithUsers, TAXII, trust } from '../taxii/fixtures.js'

type Org = Awaited<ReturnType<typeof orgWithUsers>>

const CANARY = '198.51.100.77'

async function publish(app: FastifyInstance, org: Org, collectionId: string, objects: object[]) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: { authorization: basic(org.publisher) },
    payload: { type: 'bundle', id: 'bundle--6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f', objects },
  })
  if (res.statusCode !== 200) throw new Error(res.body)
}

async function taxiiRead(app: FastifyInstance, org: Org, collectionId: string): Promise<StixObject[]> {
  const res = await app.inject({
    url: `/taxii2/api/collections/${collectionId}/objects/`,
    headers: { accept: TAXII, authorization: basic(org.viewer) },
  })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json().objects ?? []
}

const storedRows = (app: FastifyInstance) =>
  app
    .knex('anonymized_objects')
    .select<{ object_pk: string; variant: string; document: string | null }[]>('object_pk', 'variant', 'document')

const prefill = (app: FastifyInstance, collectionId: string, options?: { limit?: number; signal?: AbortSignal }) =>
  prefillCollection(
    {
      knex: app.knex,
      registry: app.registry,
      onError: (err) => {
        throw err
      },
    },
    collectionId,
    options,
  )

const canaryIndicators = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    indicator({ name: `C2 ${CANARY} #${i}`, pattern: `[ipv4-addr:value = '${CANARY}']` }),
  )

/** A producer with a `trusted` collection, a reader it trusts at medium, and an organization it does not trust. */
async function setup(t: Parameters<typeof buildTestApp>[0], runWorkers = false) {
  const { app } = await buildTestApp(t, { runWorkers })
  const producer = await orgWithUsers(app, 'Producer')
  const reader = await orgWithUsers(app, 'Reader')
  const stranger = await orgWithUsers(app, 'Stranger')
  await trust(app.knex, producer.orgId, reader.orgId, 'Medium trust')
  const cid = await createCollection(app.knex, producer.orgId, 'trusted')
  const variantOf = (recipientOrgId: string) =>
    variantKey(app.registry.defaultAnonymizer(), { level: 'medium', producerOrgId: producer.orgId, recipientOrgId })
  return { app, producer, reader, stranger, cid, variantOf }
}

t.test('a publish enqueues one prefill per collection, coalesced while it waits', async (t) => {
  const { app, producer, cid } = await setup(t)
  await publish(app, producer, cid, canaryIndicators(2))
  await publish(app, producer, cid, canaryIndicators(2))
  const { rows } = await app.knex.raw<{ rows: { data: { collectionId: string } }[] }>(
    `SELECT data FROM pgboss.job WHERE name = 'anonymize.prefill' AND state = 'created'`,
  )
  t.same(
    rows.map((r) => r.data),
    [{ collectionId: cid }],
  )
})

t.test('a TAXII add and an indicator publish enqueue the prefill of their collection', async (t) => {
  const { app, producer } = await setup(t)
  const viaTaxii = await createCollection(app.knex, producer.orgId, 'trusted')
  const viaIndicator = await createCollection(app.knex, producer.orgId, 'trusted')
  const added = await app.inject({
    method: 'POST',
    url: `/taxii2/api/collections/${viaTaxii}/objects/`,
    headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(producer.publisher) },
    payload: { objects: canaryIndicators(1) },
  })
  t.equal(added.statusCode, 202, added.body)
  const published = await app.inject({
    method: 'POST',
    url: '/api/v1/indicators',
    headers: { authorization: basic(producer.publisher) },
    payload: { collectionId: viaIndicator, value: CANARY },
  })
  t.equal(published.statusCode, 201, published.body)
  const { rows } = await app.knex.raw<{ rows: { data: { collectionId: string } }[] }>(
    `SELECT data FROM pgboss.job WHERE name = 'anonymize.prefill'`,
  )
  t.same(new Set(rows.map((r) => r.data.collectionId)), new Set([viaTaxii, viaIndicator]))
})

t.test('the prefill stores what the trusted reader reads, and the first read is served from it', async (t) => {
  const { app, producer, reader, cid, variantOf } = await setup(t)
  await publish(app, producer, cid, canaryIndicators(5))
  const raw = await app.knex('stix_objects').where('type', 'indicator').select('document')
  t.ok(
    raw.every((r) => JSON.stringify(r.document).includes(CANARY)),
    'the canary is stored raw',
  )

  // The same read without prefill (its own stored output removed afterwards).
  const baseline = await taxiiRead(app, reader, cid)
  t.ok(baseline.length >= 5)
  await app.anonymizedOutput.flush()
  await app.knex('anonymized_objects').delete()

  const written = await prefill(app, cid)
  const rows = await storedRows(app)
  t.equal(written, rows.length)
  t.ok(rows.length >= 5, 'every released object has its stored output')
  t.same(new Set(rows.map((r) => r.variant)), new Set([variantOf(reader.orgId)]), "only the reader's variant")
  t.notOk(
    rows.some((r) => r.document?.includes(CANARY)),
    'the canary never appears raw in the stored output',
  )

  const first = await taxiiRead(app, reader, cid)
  t.same(first, baseline, 'the first read after prefill returns exactly what it returned without prefill')
  await app.anonymizedOutput.flush()
  t.equal((await storedRows(app)).length, rows.length, 'the read found every output stored')
  t.equal(await prefill(app, cid), 0, 'a second prefill has nothing left to do')
})

t.test('no fill for a collection whose owner trusts nobody, nor for a private one', async (t) => {
  const { app, producer, stranger, cid } = await setup(t)
  const lonely = await createCollection(app.knex, stranger.orgId, 'public')
  await publish(app, stranger, lonely, canaryIndicators(2))
  t.equal(await prefill(app, lonely), 0)
  const hidden = await createCollection(app.knex, producer.orgId, 'private')
  await publish(app, producer, hidden, canaryIndicators(2))
  t.equal(await prefill(app, hidden), 0)
  t.equal((await storedRows(app)).length, 0)
  t.ok(cid)
})

t.test('a prefill reads only the newest memberships up to its bound', async (t) => {
  const { app, producer, cid } = await setup(t)
  for (let i = 0; i < 3; i++) await publish(app, producer, cid, canaryIndicators(2))
  const newest = await app.knex('collection_objects').where('collection_id', cid).orderBy('date_added', 'desc').limit(3)
  t.ok((await app.knex('collection_objects').where('collection_id', cid)).length > 3)
  await prefill(app, cid, { limit: 3 })
  const rows = await storedRows(app)
  t.ok(rows.length > 0 && rows.length <= 3)
  const allowed = new Set(newest.map((r) => String(r.object_pk)))
  t.ok(
    rows.every((r) => allowed.has(String(r.object_pk))),
    'only the newest memberships are filled',
  )
})

t.test('an aborted prefill stops before its next page and stores nothing more', async (t) => {
  const { app, producer, cid } = await setup(t)
  await publish(app, producer, cid, canaryIndicators(3))
  const closing = new AbortController()
  closing.abort()
  await t.rejects(prefill(app, cid, { signal: closing.signal }), { name: 'AbortError' })
  t.equal((await storedRows(app)).length, 0)
})

t.test('the anonymize.prefill worker fills the output after a publish', async (t) => {
  const { app, producer, reader, cid, variantOf } = await setup(t, true)
  await publish(app, producer, cid, canaryIndicators(3))
  let rows = await storedRows(app)
  for (let i = 0; i < 300 && rows.length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    rows = await storedRows(app)
  }
  t.ok(rows.length >= 3, 'the worker stored the output')
  t.ok(rows.every((r) => r.variant === variantOf(reader.orgId)))
})
