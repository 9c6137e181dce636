/**
 * `GET /api/v1/objects?producer=…` and `?shared_with_me=true` (issue 16, item 2): filters over whole
 * collections, by their owner, answered through the egress pipeline — the same released objects as the
 * unfiltered listing, never more, and no new oracle (a guessed value is answered alike whether true or not).
 */
import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { buildTestApp, type TestUser } from '../helper.js'
import { basic, createCollection, indicator, orgWithUsers, publishBundle, trust } from '../taxii/fixtures.js'

interface Item {
  collectionId: string
  object: { id: string; name?: string }
}

t.test('producer and shared-with-me filters select collections by owner, through the egress pipeline', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const reader = await orgWithUsers(app, 'Reader')
  const trusted = await orgWithUsers(app, 'Trusting producer')
  const stranger = await orgWithUsers(app, 'Stranger producer')
  const hidden = await orgWithUsers(app, 'Private producer')
  await trust(knex, trusted.orgId, reader.orgId, 'Medium trust')
  const own = await createCollection(knex, reader.orgId, 'private', 'Own')
  const fromTrusted = await createCollection(knex, trusted.orgId, 'trusted', 'For partners')
  const fromStranger = await createCollection(knex, stranger.orgId, 'public', 'For everyone')
  const privateOther = await createCollection(knex, hidden.orgId, 'private', 'Nobody else')
  const green = { object_marking_refs: [TLP_MARKING_IDS.green] }
  await publishBundle(app, reader.publisher, own, [indicator({ name: 'own 1' }), indicator({ name: 'own 2' })])
  await publishBundle(app, trusted.publisher, fromTrusted, [
    indicator({ name: 'trusted 1', ...green }),
    indicator({ name: 'trusted 2', ...green }),
    indicator({ name: 'trusted amber', object_marking_refs: [TLP_MARKING_IDS.amber] }),
    indicator({ name: 'trusted red', object_marking_refs: [TLP_MARKING_IDS.red] }),
  ])
  await publishBundle(app, stranger.publisher, fromStranger, [
    indicator({ name: 'stranger 1', ...green }),
    indicator({ name: 'stranger amber', object_marking_refs: [TLP_MARKING_IDS.amber] }),
  ])
  await publishBundle(app, hidden.publisher, privateOther, [indicator({ name: 'hidden 1', ...green })])

  const list = async (query: string, limit = 1000) => {
    const res = await app.inject({
      url: `/api/v1/objects?limit=${limit}${query}`,
      headers: { authorization: basic(reader.viewer) },
    })
    return {
      status: res.statusCode,
      body: res.json() as { items: Item[]; nextCursor: string | null; error?: { code: string } },
    }
  }
  const all = (await list('')).body.items
  t.equal(all.length, 6, 'unfiltered: own 2, trusted 3 (RED withheld), stranger 1 (AMBER withheld without trust)')
  const released = (cids: string[]) => all.filter((i) => cids.includes(i.collectionId))

  const shared = await list('&shared_with_me=true')
  t.equal(shared.status, 200)
  t.same(
    shared.body.items,
    released([fromTrusted, fromStranger]),
    'shared with me: exactly what the unfiltered listing released from other organizations, byte for byte',
  )
  t.notOk(
    shared.body.items.some((i) => /own|hidden|red/.test(String(i.object.name))),
    'nothing own, nothing private, nothing withheld',
  )
  t.same((await list('&shared_with_me=false')).body.items, all, 'false does not filter')

  t.same((await list(`&producer=${trusted.orgId}`)).body.items, released([fromTrusted]), 'one producer')
  t.same(
    (await list(`&producer=${trusted.orgId},${stranger.orgId}`)).body.items,
    released([fromTrusted, fromStranger]),
    'several producers, ORed',
  )
  t.same(
    (await list(`&producer=${reader.orgId}`)).body.items,
    released([own]),
    "the reader's own organization as producer",
  )
  t.same(
    (await list(`&producer=${reader.orgId}&shared_with_me=true`)).body.items,
    [],
    'own producer and shared-with-me exclude each other',
  )
  t.same(
    (await list(`&producer=${stranger.orgId}&collection=${fromTrusted}`)).body.items,
    [],
    'ANDed with the collection filter',
  )
  t.same(
    (await list(`&producer=${trusted.orgId}&type=indicator&q=trusted%202`)).body.items.map((i) => i.object.name),
    ['trusted 2'],
    'ANDed with the other filters',
  )

  const hiddenAnswer = await list(`&producer=${hidden.orgId}`)
  const unknownAnswer = await list('&producer=00000000-0000-4000-8000-000000000000')
  t.same(
    [hiddenAnswer.status, hiddenAnswer.body],
    [200, { items: [], nextCursor: null }],
    'a producer whose collections the reader cannot see: nothing',
  )
  t.same(hiddenAnswer.body, unknownAnswer.body, 'answered exactly like an organization that does not exist')

  const bad = await list('&producer=not-an-org')
  t.equal(bad.status, 400)
  t.match(bad.body.error, { code: 'CRISP_VALIDATION_FAILED', message: /producer/ })

  const pages: string[] = []
  let next: string | null = ''
  for (let n = 0; n < 10 && next !== null; n++) {
    const page: Awaited<ReturnType<typeof list>> = await list(`&shared_with_me=true${next ? `&cursor=${next}` : ''}`, 1)
    pages.push(...page.body.items.map((i) => i.object.id))
    next = page.body.nextCursor
  }
  t.same(
    pages,
    shared.body.items.map((i) => i.object.id),
    'pages of one object walk the same selection',
  )
})

t.test('filtering by producer opens no oracle on anonymized values', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const producer = await orgWithUsers(app, 'Producer')
  const partner = await orgWithUsers(app, 'Partner without trust')
  const cid = await createCollection(knex, producer.orgId, 'public', 'Shared intel')
  await publishBundle(app, producer.publisher, cid, [
    indicator({
      name: 'C2 198.51.100.77',
      description: 'beacons to 198.51.100.77',
      labels: ['c2-198.51.100.77'],
      pattern: "[ipv4-addr:value = '198.51.100.77']",
      object_marking_refs: [TLP_MARKING_IDS.green],
    }),
    indicator({ name: 'scanner', description: 'mass scanning', object_marking_refs: [TLP_MARKING_IDS.green] }),
  ])
  const shape = async (user: TestUser, query: string) => {
    const res = await app.inject({ url: `/api/v1/objects?${query}`, headers: { authorization: basic(user) } })
    return JSON.stringify({
      status: res.statusCode,
      count: res.json().items?.length,
      nextCursor: res.json().nextCursor,
    })
  }
  for (const filter of [
    `producer=${producer.orgId}`,
    'shared_with_me=true',
    `producer=${producer.orgId}&shared_with_me=true`,
  ]) {
    for (const [what, truth, lie] of [
      ['q', 'q=198.51.100.77', 'q=198.51.100.78'],
      ['labels', 'labels=c2-198.51.100.77', 'labels=c2-198.51.100.78'],
    ]) {
      const own = [
        await shape(producer.viewer, `producer=${producer.orgId}&${truth}`),
        await shape(producer.viewer, `producer=${producer.orgId}&${lie}`),
      ]
      t.not(own[0], own[1], `control: the producer's own viewer tells the guesses apart (${what})`)
      t.equal(
        await shape(partner.viewer, `${filter}&${truth}`),
        await shape(partner.viewer, `${filter}&${lie}`),
        `${filter} with ${what}: a true and a false guess answer alike`,
      )
    }
  }
})
