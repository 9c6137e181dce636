import t from 'tap'
import type { FastifyInstance } from 'fastify'
import {
  readSharedTextPage,
  releaseSharedTexts,
  type ReleasedText,
  type SharedTextPage,
} from '../../core/sharing/index.js'
import { sharedRowsQuery } from '../../core/sharing/shared-rows.js'
import { storedOutputTextPageQuery } from '../../core/sharing/text-page.js'
import { variantKey } from '../../core/sharing/anonymized-store.js'
import { createPlatformMetrics } from '../../core/infra/metrics.js'
import { buildTestApp } from '../helper.js'
import { createCollection, indicator, orgWithUsers, publishBundle, trust } from '../taxii/fixtures.js'

/**
 * Pages of an anonymized collection sent as text are joined by PostgreSQL when every row has its stored output
 * (`storedOutputTextPageQuery`), else released by Node: both must send the same bytes, keyset and counts.
 */

const OBJECTS = 7
const LIMIT = 3

async function setUp(t: Parameters<typeof buildTestApp>[0]) {
  // No job workers: the prefill would store the outputs behind the test's back.
  const { app } = await buildTestApp(t, { runWorkers: false })
  const producer = await orgWithUsers(app, 'Producer')
  const reader = await orgWithUsers(app, 'Reader')
  await trust(app.knex, producer.orgId, reader.orgId, 'Medium trust')
  const cid = await createCollection(app.knex, producer.orgId, 'trusted')
  const objects = Array.from({ length: OBJECTS }, (_, i) =>
    indicator({ name: `C2 198.51.100.${i}`, pattern: `[ipv4-addr:value = '198.51.100.${i}']` }),
  )
  await publishBundle(app, producer.publisher, cid, objects)
  await app.anonymizedOutput.flush()
  await app.knex('anonymized_objects').delete()
  return { app, producer, reader, cid }
}

/** The version behind the collection's membership number `offset` (0-based, in `seq` order). */
async function membership(app: FastifyInstance, cid: string, offset: number): Promise<string> {
  const [row] = await app
    .knex('collection_objects')
    .where({ collection_id: cid })
    .orderBy('seq')
    .offset(offset)
    .limit(1)
  if (!row) throw new Error(`no membership ${offset} in ${cid}`)
  return row.object_pk
}

/** Every page of the collection as the reader's TAXII envelopes get them. */
async function walk(app: FastifyInstance, readerOrgId: string, cid: string, metrics?: ReturnType<typeof counter>) {
  const pages: SharedTextPage[] = []
  let after: { dateAdded: string; seq: string } | undefined
  for (;;) {
    const page = await readSharedTextPage({
      knex: app.knex,
      registry: app.registry,
      principal: { orgId: readerOrgId },
      filter: { collectionIds: [cid], afterDateAdded: after },
      limit: LIMIT,
      storedOutput: app.anonymizedOutput,
      metrics: metrics?.metrics,
    })
    pages.push(page)
    if (!page.more || !page.last) return pages
    after = { dateAdded: page.last.date_added, seq: page.last.seq }
  }
}

function counter() {
  let n = 0
  return { metrics: { objectAnonymized: () => void n++ }, count: () => n }
}

/** The reader's first page aggregated by PostgreSQL, as `fetchSharedPage` asks for it. */
async function firstPageAggregate(app: FastifyInstance, producerOrgId: string, readerOrgId: string, cid: string) {
  const variant = variantKey(app.registry.defaultAnonymizer(), {
    level: 'medium',
    producerOrgId,
    recipientOrgId: readerOrgId,
  })
  if (!variant) throw new Error('the default strategy names its output variants')
  const page = sharedRowsQuery({
    knex: app.knex,
    collections: { own: [], trusted: [cid], untrusted: [] },
    filter: { collectionIds: [cid] },
    order: 'date_added',
    limit: LIMIT + 1,
    variants: new Map([[cid, variant]]),
    raw: [],
    columns: 'text',
  })
  const rows = (await storedOutputTextPageQuery(app.knex, page, LIMIT, [])) as Record<string, unknown>[]
  if (rows.length !== 1) throw new Error(`an aggregate is one row, not ${rows.length}`)
  return rows[0]
}

t.test(
  'the aggregate tells whether every row of the page has its stored output, and never holds raw text',
  async (t) => {
    const { app, producer, reader, cid } = await setUp(t)
    const cold = await firstPageAggregate(app, producer.orgId, reader.orgId, cid)
    t.match(cold, { n: LIMIT + 1, stored: false, released: 0, objects: null }, 'nothing stored: nothing to send')

    const [page] = await walk(app, reader.orgId, cid)
    await app.anonymizedOutput.flush()
    const stored = await firstPageAggregate(app, producer.orgId, reader.orgId, cid)
    t.match(stored, { n: LIMIT + 1, stored: true, released: LIMIT }, 'all stored')
    t.equal(stored.objects, page.objects, 'the texts Node released, joined alike')
    t.same(
      [stored.first_seq, stored.first_date_added, stored.last_seq, stored.last_date_added],
      [page.first?.seq, page.first?.date_added, page.last?.seq, page.last?.date_added],
      'the keyset positions Node gave',
    )

    // One row of the page without its stored output: not stored, and that row's raw text is not in the aggregate.
    const missing = await membership(app, cid, 1)
    await app.knex('anonymized_objects').where({ object_pk: missing }).delete()
    const partly = await firstPageAggregate(app, producer.orgId, reader.orgId, cid)
    t.match(partly, { stored: false, released: LIMIT - 1 })
    t.notOk(String(partly.objects).includes('198.51.100.'), 'no raw value')
  },
)

t.test('joined by PostgreSQL or released by Node, the reader gets the same pages', async (t) => {
  const { app, reader, cid } = await setUp(t)
  const coldMetrics = counter()
  const cold = await walk(app, reader.orgId, cid, coldMetrics)
  t.equal(cold.length, Math.ceil(OBJECTS / LIMIT))
  t.equal(
    cold.reduce((n, p) => n + p.count, 0),
    OBJECTS,
  )
  await app.anonymizedOutput.flush()
  const [{ count }] = await app.knex('anonymized_objects').count<{ count: string }[]>('* as count')
  t.equal(Number(count), OBJECTS, 'the cold walk stored every output')

  const storedMetrics = counter()
  const stored = await walk(app, reader.orgId, cid, storedMetrics)
  t.same(stored, cold, 'same texts, counts, keyset positions and `more`')
  t.equal(storedMetrics.count(), coldMetrics.count(), 'anonymization counted alike')
  t.equal(coldMetrics.count(), OBJECTS)

  // The strategy withholding an object (a stored NULL text): skipped by both paths, and counted out.
  const withheld = await membership(app, cid, 4)
  await app.knex('anonymized_objects').where({ object_pk: withheld }).update({ document: null })
  const aggregated = await walk(app, reader.orgId, cid)
  t.equal(
    aggregated.reduce((n, p) => n + p.count, 0),
    OBJECTS - 1,
  )
  t.equal(aggregated[1].count, LIMIT - 1, 'the page with the withheld object has one object less')
  t.same(
    aggregated.map((p) => [p.first, p.last, p.more]),
    cold.map((p) => [p.first, p.last, p.more]),
    'the keyset still covers the withheld row',
  )
  // The same page released by Node (another of its rows without stored output) withholds it too.
  const other = await membership(app, cid, 3)
  await app.knex('anonymized_objects').where({ object_pk: other }).delete()
  const mixed = await walk(app, reader.orgId, cid)
  t.same(mixed, aggregated, 'a page with one output missing is released by Node to the same bytes')
  t.notOk(mixed[1].objects.includes('198.51.100.4'), 'no raw value on either path')
})

t.test('filters decided on the released objects keep the page in Node', async (t) => {
  const { app, reader, cid } = await setUp(t)
  await walk(app, reader.orgId, cid)
  await app.anonymizedOutput.flush()
  const page = await readSharedTextPage({
    knex: app.knex,
    registry: app.registry,
    principal: { orgId: reader.orgId },
    filter: { collectionIds: [cid], labels: ['no-such-label'] },
    limit: LIMIT,
    metrics: createPlatformMetrics(),
  })
  t.equal(page.count, 0, 'the label filter applied to what the reader receives')
  t.equal(page.objects, '')
})

/** Every object an export of the reader's visible collections reads, with how many were counted as anonymized. */
async function exportTexts(app: FastifyInstance, readerOrgId: string) {
  const metrics = counter()
  const slices: ReleasedText[][] = []
  for await (const slice of releaseSharedTexts({
    knex: app.knex,
    registry: app.registry,
    principal: { orgId: readerOrgId },
    filter: {},
    limit: LIMIT,
    textOnly: true,
    metrics: metrics.metrics,
  }))
    slices.push(slice)
  const objects = slices.flat()
  return {
    texts: objects.map((o) => [o.json, o.collectionId]),
    // Objects released by Node carry their row; an aggregated page's are plain records.
    aggregated: objects.filter((o) => Object.getPrototypeOf(o) === Object.prototype).length,
    anonymized: metrics.count(),
  }
}

t.test('exports: pages of own and stored anonymized rows are joined by PostgreSQL, to the same objects', async (t) => {
  const { app, reader, cid } = await setUp(t)
  const own = await createCollection(app.knex, reader.orgId, 'private', 'Reader’s own')
  await publishBundle(
    app,
    reader.publisher,
    own,
    Array.from({ length: 4 }, () => indicator()),
  )
  const cold = await exportTexts(app, reader.orgId)
  t.equal(cold.texts.length, OBJECTS + 4)
  t.equal(cold.anonymized, OBJECTS, 'the producer’s objects are anonymized, the reader’s own are not')
  t.ok(cold.aggregated < cold.texts.length, 'pages with rows lacking stored output are released by Node')

  // What TAXII reads is stored; an export stores nothing of its own.
  await walk(app, reader.orgId, cid)
  await app.anonymizedOutput.flush()
  const stored = await exportTexts(app, reader.orgId)
  t.equal(stored.aggregated, stored.texts.length, 'every page joined by PostgreSQL')
  t.same(stored.texts, cold.texts, 'the same texts, from the same collections, in the same order')
  t.equal(stored.anonymized, cold.anonymized, 'anonymization counted alike')
  t.notOk(
    stored.texts.some(([json, collection]) => collection === cid && /198\.51\.100\.\d/.test(json)),
    'no raw value of the producer’s objects',
  )

  // A withheld object (stored NULL) is skipped, and its collection is not given to the next object.
  const withheld = await membership(app, cid, 2)
  await app.knex('anonymized_objects').where({ object_pk: withheld }).update({ document: null })
  const fewer = await exportTexts(app, reader.orgId)
  t.equal(fewer.texts.length, OBJECTS + 3)
  t.same(
    fewer.texts,
    cold.texts.filter((_, i) => i !== 2),
    'the one withheld object is missing, nothing else moved',
  )
  t.equal(fewer.anonymized, OBJECTS, 'a withheld object is counted, as Node counts it')
})
