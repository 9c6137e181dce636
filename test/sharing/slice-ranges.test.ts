/**
 * `releaseSharedSlices` reads pages cut at membership positions looked up ahead, several at once (issue 18): every
 * released object comes out once and in `seq` order, across positions of different digit counts, across two
 * collections of different owners (own and anonymized), with withheld rows inside the ranges, and when a
 * collection becomes visible between two pages (a range then holds more rows than its lookup counted).
 */
import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { readSharedPage, readSharedTextPage, releaseSharedSlices } from '../../core/sharing/index.js'
import { buildTestApp } from '../helper.js'
import { createCollection, indicator, orgWithUsers, publishBundle, trust } from '../taxii/fixtures.js'

t.test('slices come out once each, in seq order, page ranges read ahead', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const reader = await orgWithUsers(app, 'Reader')
  const producer = await orgWithUsers(app, 'Producer')
  await trust(knex, producer.orgId, reader.orgId, 'Medium trust')
  const own = await createCollection(knex, reader.orgId, 'private', 'Own')
  const shared = await createCollection(knex, producer.orgId, 'trusted', 'Shared')
  const green = { object_marking_refs: [TLP_MARKING_IDS.green] }
  const red = { object_marking_refs: [TLP_MARKING_IDS.red] }
  // Interleaved memberships of both collections, red ones (withheld from the reader) among them: 120 rows.
  for (let i = 0; i < 12; i++) {
    await publishBundle(app, reader.publisher, own, [
      indicator({ name: `own ${i}` }),
      indicator({ name: `own b ${i}` }),
    ])
    await publishBundle(app, producer.publisher, shared, [
      ...Array.from({ length: 7 }, (_, k) => indicator({ name: `shared ${i}.${k}`, ...green })),
      indicator({ name: `shared red ${i}`, ...red }),
    ])
  }
  const expected = await knex('collection_objects as co')
    .join('stix_objects as s', 's.pk', 'co.object_pk')
    .whereIn('co.collection_id', [own, shared])
    .whereNot((w) => w.where('co.collection_id', shared).andWhere('s.tlp', 'red'))
    .orderBy('co.seq')
    .select(knex.raw('co.seq::text AS seq'))
  t.equal(expected.length, 12 * 2 + 12 * 7)

  const read = async (limit: number, afterSeq?: string) => {
    const seqs: string[] = []
    for await (const slice of releaseSharedSlices({
      knex,
      registry: app.registry,
      principal: { orgId: reader.orgId },
      filter: { afterSeq },
      limit,
    }))
      for (const released of slice) seqs.push(released.row.seq)
    return seqs
  }
  for (const limit of [1, 3, 7, 1000]) {
    t.same(
      await read(limit),
      expected.map((r) => r.seq),
      `pages of ${limit}: each released object once, in order`,
    )
  }
  t.same(
    await read(4, expected[50].seq),
    expected.slice(51).map((r) => r.seq),
    'from a keyset position on',
  )
})

t.test('a collection that becomes visible mid-way: the range it lands in is read to its end', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const reader = await orgWithUsers(app, 'Reader')
  const producer = await orgWithUsers(app, 'Producer')
  const own = await createCollection(knex, reader.orgId, 'private', 'Own')
  const later = await createCollection(knex, producer.orgId, 'trusted', 'Shared later')
  const green = { object_marking_refs: [TLP_MARKING_IDS.green] }
  for (let i = 0; i < 6; i++) {
    await publishBundle(app, reader.publisher, own, [
      indicator({ name: `own ${i}` }),
      indicator({ name: `own b ${i}` }),
    ])
    await publishBundle(app, producer.publisher, later, [
      indicator({ name: `later ${i}`, ...green }),
      indicator({ name: `later b ${i}`, ...green }),
    ])
  }
  const seqs: string[] = []
  let pages = 0
  for await (const slice of releaseSharedSlices({
    knex,
    registry: app.registry,
    principal: { orgId: reader.orgId },
    filter: {},
    limit: 2,
  })) {
    // After the first page the producer starts trusting the reader: its collection counts in no looked-up range.
    if (pages++ === 0) await trust(knex, producer.orgId, reader.orgId, 'Medium trust')
    for (const released of slice) seqs.push(released.row.seq)
  }
  t.same(
    seqs.map(Number),
    [...seqs.map(Number)].sort((a, b) => a - b),
    'in seq order',
  )
  t.equal(new Set(seqs).size, seqs.length, 'each once')
  const ownCount = 12
  t.ok(seqs.length > ownCount, 'rows of the newly visible collection are read too')
})

t.test('a page of own collections aggregated by PostgreSQL is the page released row by row', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const reader = await orgWithUsers(app, 'Reader')
  const own = await createCollection(knex, reader.orgId, 'private', 'Own')
  await publishBundle(app, reader.publisher, own, [
    ...Array.from({ length: 11 }, (_, i) =>
      indicator({ name: `own ${i}`, object_marking_refs: [TLP_MARKING_IDS.red] }),
    ),
    indicator({ name: 'own unmarked' }),
  ])
  const base = { knex, registry: app.registry, principal: { orgId: reader.orgId }, limit: 5 }
  let after: { dateAdded: string; seq: string } | undefined
  let pages = 0
  for (;;) {
    const filter = { collectionIds: [own], afterDateAdded: after }
    const text = await readSharedTextPage({ ...base, filter })
    const rows = await readSharedPage({ ...base, filter, order: 'date_added', textOnly: true })
    t.equal(text.objects, rows.objects.map((o) => o.json).join(','), `page ${pages}: the same texts`)
    t.equal(text.count, rows.objects.length)
    t.equal(text.more, rows.more)
    t.same(text.first, rows.first && { seq: rows.first.seq, date_added: rows.first.date_added })
    t.same(text.last, rows.last && { seq: rows.last.seq, date_added: rows.last.date_added })
    pages++
    if (!text.more || !text.last) break
    after = { dateAdded: text.last.date_added, seq: text.last.seq }
  }
  t.equal(pages, 3, '12 objects in pages of 5')
})
