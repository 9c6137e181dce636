import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { variantKey } from '../../core/sharing/anonymized-store.js'
import { prefillCollection, type PrefillOptions } from '../../core/sharing/prefill.js'
import type { StixObject } from '../../core/plugin-api/index.js'
import { buildTestApp } from '../helper.js'
import { basic, createCollection, indicator, orgWithUsers, publishBundle, TAXII, trust } from '../taxii/fixtures.js'

type Org = Awaited<ReturnType<typeof orgWithUsers>>

const CANARY = '198.51.100.77'

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

const prefill = (app: FastifyInstance, collectionId: string, options?: PrefillOptions) =>
  prefillCollection(
    {
      knex: app.knex,
      registry: app.registry,
      jobs: app.jobs,
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
  await publishBundle(app, producer.publisher, cid, canaryIndicators(2))
  await publishBundle(app, producer.publisher, cid, canaryIndicators(2))
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
  await publishBundle(app, producer.publisher, cid, canaryIndicators(5))
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

  const { written } = await prefill(app, cid)
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
  t.same(
    await prefill(app, cid),
    { written: 0, read: 0, continued: false },
    'a second prefill starts after its watermark: nothing left to read',
  )
})

t.test('no fill for a collection whose owner trusts nobody, nor for a private one', async (t) => {
  const { app, producer, stranger, cid } = await setup(t)
  const lonely = await createCollection(app.knex, stranger.orgId, 'public')
  await publishBundle(app, stranger.publisher, lonely, canaryIndicators(2))
  t.same(await prefill(app, lonely), { written: 0, read: 0, continued: false })
  const hidden = await createCollection(app.knex, producer.orgId, 'private')
  await publishBundle(app, producer.publisher, hidden, canaryIndicators(2))
  t.same(await prefill(app, hidden), { written: 0, read: 0, continued: false })
  t.equal((await storedRows(app)).length, 0)
  t.ok(cid)
})

t.test('a variant without watermark starts at the newest memberships of its horizon', async (t) => {
  const { app, producer, cid } = await setup(t)
  for (let i = 0; i < 3; i++) await publishBundle(app, producer.publisher, cid, canaryIndicators(2))
  const newest = await app.knex('collection_objects').where('collection_id', cid).orderBy('date_added', 'desc').limit(3)
  t.ok((await app.knex('collection_objects').where('collection_id', cid)).length > 3)
  await prefill(app, cid, { horizon: 3 })
  const rows = await storedRows(app)
  t.ok(rows.length > 0 && rows.length <= 3)
  const allowed = new Set(newest.map((r) => String(r.object_pk)))
  t.ok(
    rows.every((r) => allowed.has(String(r.object_pk))),
    'only the newest memberships are filled',
  )
})

const waitingJobs = async (app: FastifyInstance) =>
  (
    await app.knex.raw<{ rows: { data: { collectionId: string } }[] }>(
      `SELECT data FROM pgboss.job WHERE name = 'anonymize.prefill' AND state = 'created'`,
    )
  ).rows.map((r) => r.data)

const watermarkOf = async (app: FastifyInstance, cid: string, variant: string | null) =>
  app
    .knex('prefill_watermarks')
    .where({ collection_id: cid, variant: variant ?? '' })
    .first('seq')

t.test('the fill is progressive: a bounded job continues itself, the next one starts after it', async (t) => {
  const { app, producer, reader, cid, variantOf } = await setup(t)
  for (let i = 0; i < 3; i++) await publishBundle(app, producer.publisher, cid, canaryIndicators(2))
  const members = await app.knex('collection_objects').where('collection_id', cid).orderBy(['date_added', 'seq'])
  t.equal(members.length, 6)
  // The publishes' own waiting job is dropped, so that the continuation is seen being enqueued.
  await app.knex.raw(`DELETE FROM pgboss.job WHERE name = 'anonymize.prefill'`)

  const first = await prefill(app, cid, { batch: 4 })
  t.same(first, { written: 4, read: 4, continued: true }, 'the first job stops at its bound')
  t.same(await waitingJobs(app), [{ collectionId: cid }], 'and enqueues its continuation')
  t.equal((await watermarkOf(app, cid, variantOf(reader.orgId)))?.seq, String(members[3].seq))
  const afterFirst = new Set((await storedRows(app)).map((r) => r.object_pk))
  t.same(afterFirst, new Set(members.slice(0, 4).map((m) => String(m.object_pk))), 'the oldest four are filled')

  await app
    .knex('anonymized_objects')
    .whereIn('object_pk', [...afterFirst])
    .delete()
  const second = await prefill(app, cid, { batch: 4 })
  t.same(second, { written: 2, read: 2, continued: false }, 'the second job reads only what the first left')
  t.same(
    new Set((await storedRows(app)).map((r) => r.object_pk)),
    new Set(members.slice(4).map((m) => String(m.object_pk))),
    'nothing the first job filled is read again (its outputs, removed above, stay missing)',
  )
  t.equal((await watermarkOf(app, cid, variantOf(reader.orgId)))?.seq, String(members[5].seq))
  t.same(await waitingJobs(app), [{ collectionId: cid }], 'the continuation is still the one waiting job')

  await publishBundle(app, producer.publisher, cid, canaryIndicators(1))
  t.same(await prefill(app, cid, { batch: 4 }), { written: 1, read: 1, continued: false }, 'a new ingest is read next')
})

t.test('a continuation merges with the waiting job of a newer ingest: together they fill everything', async (t) => {
  const { app, producer, reader, cid, variantOf } = await setup(t)
  await publishBundle(app, producer.publisher, cid, canaryIndicators(3))
  t.same(await waitingJobs(app), [{ collectionId: cid }])
  const first = await prefill(app, cid, { batch: 2 })
  t.ok(first.continued)
  t.same(await waitingJobs(app), [{ collectionId: cid }], 'one waiting job: the continuation was merged with it')
  await publishBundle(app, producer.publisher, cid, canaryIndicators(2))
  const rest = await prefill(app, cid, { batch: 1000 })
  t.same(rest, { written: 3, read: 3, continued: false })
  const members = await app.knex('collection_objects').where('collection_id', cid)
  const rows = await storedRows(app)
  t.same(new Set(rows.map((r) => r.object_pk)), new Set(members.map((m) => String(m.object_pk))))
  t.ok(rows.every((r) => r.variant === variantOf(reader.orgId)))
})

t.test('a partner moved to another trust level gets its new variant filled from scratch', async (t) => {
  const { app, producer, reader, cid, variantOf } = await setup(t)
  await publishBundle(app, producer.publisher, cid, canaryIndicators(4))
  t.equal((await prefill(app, cid)).written, 4)
  const high = await app.knex('trust_levels').where({ name: 'Low trust' }).first('id')
  if (!high) throw new Error('the migrations seed a Low trust level')
  await app.knex('trust_relationships').where({ trustor_org_id: producer.orgId }).update({ trust_level_id: high.id })
  const newVariant = variantKey(app.registry.defaultAnonymizer(), {
    level: 'high',
    producerOrgId: producer.orgId,
    recipientOrgId: reader.orgId,
  })
  t.not(newVariant, variantOf(reader.orgId))
  t.notOk(await watermarkOf(app, cid, newVariant), 'the new variant has no watermark yet')

  const outcome = await prefill(app, cid)
  t.same(outcome, { written: 4, read: 4, continued: false })
  const rows = (await storedRows(app)).filter((r) => r.variant === newVariant)
  t.equal(rows.length, 4, 'every object has its output at the new level')
  t.notOk(
    rows.some((r) => r.document?.includes(CANARY)),
    'the canary never appears raw in the new variant either',
  )
  const baseline = await taxiiRead(app, reader, cid)
  await app.anonymizedOutput.flush()
  t.equal((await storedRows(app)).length, 8, 'the read at the new level found every output stored')
  t.equal(baseline.length, 4)
})

t.test('an aborted prefill stops before its next page and stores nothing more', async (t) => {
  const { app, producer, cid } = await setup(t)
  await publishBundle(app, producer.publisher, cid, canaryIndicators(3))
  const closing = new AbortController()
  closing.abort()
  await t.rejects(prefill(app, cid, { signal: closing.signal }), { name: 'AbortError' })
  t.equal((await storedRows(app)).length, 0)
})

t.test('the anonymize.prefill worker fills the output after a publish', async (t) => {
  const { app, producer, reader, cid, variantOf } = await setup(t, true)
  await publishBundle(app, producer.publisher, cid, canaryIndicators(3))
  let rows = await storedRows(app)
  for (let i = 0; i < 300 && rows.length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    rows = await storedRows(app)
  }
  t.ok(rows.length >= 3, 'the worker stored the output')
  t.ok(rows.every((r) => r.variant === variantOf(reader.orgId)))
})

const queuedPrefills = async (app: FastifyInstance) =>
  new Set(
    (
      await app.knex.raw<{ rows: { data: { collectionId: string } }[] }>(
        `SELECT data FROM pgboss.job WHERE name = 'anonymize.prefill' AND state = 'created'`,
      )
    ).rows.map((r) => r.data.collectionId),
  )
const dropQueuedPrefills = (app: FastifyInstance) =>
  app.knex.raw(`DELETE FROM pgboss.job WHERE name = 'anonymize.prefill'`)
const levelId = async (app: FastifyInstance, name: string): Promise<string> => {
  const level = await app.knex('trust_levels').where({ name }).first('id')
  if (!level) throw new Error(`no trust level ${name}`)
  return level.id
}

t.test('a new trust relationship or a changed level enqueues the prefill of the trustor’s collections', async (t) => {
  const { app, producer, stranger, cid } = await setup(t)
  const other = await createCollection(app.knex, producer.orgId, 'public')
  const unrelated = await orgWithUsers(app, 'Unrelated')
  const theirs = await createCollection(app.knex, unrelated.orgId, 'public')
  const auth = { authorization: basic(producer.publisher) }

  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/trust-relationships',
    headers: auth,
    payload: { trusteeOrganizationId: stranger.orgId, trustLevelId: await levelId(app, 'Low trust') },
  })
  t.equal(created.statusCode, 201, created.body)
  t.same(await queuedPrefills(app), new Set([cid, other]), 'every collection of the trustor, no other')
  t.notOk((await queuedPrefills(app)).has(theirs))

  await dropQueuedPrefills(app)
  const id = created.json().id
  const notes = await app.inject({
    method: 'PATCH',
    url: `/api/v1/trust-relationships/${id}`,
    headers: auth,
    payload: { notes: 'met at the conference' },
  })
  t.equal(notes.statusCode, 200, notes.body)
  t.same(await queuedPrefills(app), new Set(), 'notes alone change nothing that leaves')

  const relevelled = await app.inject({
    method: 'PATCH',
    url: `/api/v1/trust-relationships/${id}`,
    headers: auth,
    payload: { trustLevelId: await levelId(app, 'High trust') },
  })
  t.equal(relevelled.statusCode, 200, relevelled.body)
  t.same(await queuedPrefills(app), new Set([cid, other]), 'another level: another variant to fill')

  // The console's services do as REST does, given the app's queue.
  await dropQueuedPrefills(app)
  const { consoleServices } = await import('../../admin/services/index.js')
  await consoleServices.trustRelationships.create({
    db: app.knex,
    actor: {
      userId: producer.publisher.id,
      orgId: producer.orgId,
      role: 'publisher',
      email: producer.publisher.email,
      via: 'session',
    },
    input: { trusteeOrganizationId: unrelated.orgId, trustLevelId: await levelId(app, 'Medium trust') },
    jobs: app.jobs,
  })
  t.same(await queuedPrefills(app), new Set([cid, other]), 'from the console')
})

t.test('the worker fills a new trustee’s variant before it reads anything', async (t) => {
  const { app, producer, stranger, cid } = await setup(t, true)
  await publishBundle(app, producer.publisher, cid, canaryIndicators(3))
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/trust-relationships',
    headers: { authorization: basic(producer.publisher) },
    payload: { trusteeOrganizationId: stranger.orgId, trustLevelId: await levelId(app, 'Low trust') },
  })
  t.equal(created.statusCode, 201, created.body)
  const variant = variantKey(app.registry.defaultAnonymizer(), {
    level: 'high',
    producerOrgId: producer.orgId,
    recipientOrgId: stranger.orgId,
  })
  let rows = (await storedRows(app)).filter((r) => r.variant === variant)
  for (let i = 0; i < 300 && rows.length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    rows = (await storedRows(app)).filter((r) => r.variant === variant)
  }
  t.equal(rows.length, 3, 'the new trustee’s level is stored, no read needed')
  t.notOk(
    rows.some((r) => r.document?.includes(CANARY)),
    'nothing raw stored',
  )
})
