import { readFile } from 'node:fs/promises'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { buildFeedsApp, createOrgWithUsers, pluginFixture } from './feed-helper.js'
import { feedRunner, markings, TLP } from './run-helper.js'

const [A, B, C] = [
  '5f8c3a2e-1b4d-4c6e-9a7f-0d2e3b4c5a61',
  '6a9d4b3f-2c5e-4d7f-8b80-1e3f4c5d6b72',
  '7bae5c40-3d6f-4e80-9c91-2f405d6e7c83',
]
/** An event published after the fixtures' newest (C, 1709400000), without any TLP tag. */
const D = 'd4d4d4d4-0000-4d00-8000-000000000001'
const eventD = {
  Event: {
    uuid: D,
    info: 'Newer event without TLP',
    date: '2024-03-04',
    timestamp: '1709500000',
    threat_level_id: '2',
    analysis: '2',
    published: true,
    Orgc: { uuid: '55f6ea5e-2c60-40e5-964f-47a8950d210f', name: 'CIRCL' },
    Attribute: [
      {
        uuid: 'd4d4d4d4-0001-4d00-8000-000000000001',
        type: 'ip-dst',
        category: 'Network activity',
        value: '192.0.2.55',
        to_ids: true,
        timestamp: '1709499000',
        comment: '',
      },
    ],
  },
}
const manifest = JSON.parse(await readFile(pluginFixture('feed-misp', 'manifest.json'), 'utf8'))
let publishD = false

const server = await startFixtureServer(async (req, res) => {
  const [, feed, file] = new URL(req.url ?? '/', 'http://x').pathname.split('/')
  if (feed === 'unauthorized') return void res.writeHead(401).end()
  if (feed === 'bad-json') return void res.writeHead(200).end('{"5f8c3a2e-1b4d-4c6e-9a7f-0d2e3b4c5a61": {"timestamp": ')
  if (file === 'manifest.json') {
    const entries = publishD
      ? {
          ...manifest,
          [D]: { info: eventD.Event.info, Orgc: eventD.Event.Orgc, date: '2024-03-04', timestamp: '1709500000' },
        }
      : manifest
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries))
  }
  if (file === `${D}.json` && publishD) return void res.writeHead(200).end(JSON.stringify(eventD))
  const body = await readFile(pluginFixture('feed-misp', file ?? '')).catch(() => null)
  if (body === null) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end(body)
})
t.teardown(() => server.close())

const { app, knex } = await buildFeedsApp(t)
const org = await createOrgWithUsers(knex)
const feeds = feedRunner(app, knex, org)
const filesFetched = (from: number) => server.requests.slice(from).map((r) => r.url.split('/').at(-1))

t.test(
  'a MISP feed: events stored with producer and TLP, bad attributes rejected, incremental by the manifest',
  async (t) => {
    const feedId = await feeds.makeFeed('misp', { url: `${server.origin}/feed/` })
    const first = await feeds.run(feedId)
    t.equal(first.status, 'partial', first.error ?? 'finished, with rejected attributes')
    t.equal(first.counts.rejected, 3, 'text, not-a-hash, ja3')
    t.equal(
      first.counts.fetched,
      first.counts.new + first.counts.rejected,
      'every item fetched was stored new or rejected',
    )
    t.equal(first.counts.unchanged, 0)
    t.match(first.rejections, [
      { ref: 'a1b2c3d4-0007-4a00-8000-000000000007', reason: /unsupported MISP attribute type "text"/ },
      { ref: 'c1b2c3d4-0002-4c00-8000-000000000002', reason: /"not-a-hash" is not a sha256 hash/ },
      { ref: 'c1b2c3d4-0004-4c00-8000-000000000004', reason: /unsupported MISP attribute type "ja3-fingerprint-md5"/ },
    ])
    const stored = await feeds.stored()
    t.equal(stored.length, first.counts.new)
    t.same(
      stored
        .filter((o) => o.stix_id.startsWith('report--'))
        .map((o) => o.stix_id)
        .sort(),
      [`report--${A}`, `report--${B}`, `report--${C}`],
    )
    t.ok(
      stored.every((o) => o.producer_org_id === org.id),
      'producer is the feed org',
    )
    const byId = (id: string) => stored.find((o) => o.stix_id === id)!
    t.same(markings(byId(`report--${A}`).document), [TLP.green], "the event's TLP is kept, not the feed default")
    t.same(
      markings(byId('indicator--c1b2c3d4-0001-4c00-8000-000000000001').document),
      [TLP.amberStrict],
      "the attribute's TLP is kept",
    )
    t.same(
      JSON.parse((await feeds.checkpoint(feedId))!),
      { timestamp: 1709400000, uuid: C },
      'checkpoint: the last event',
    )

    let before = server.requests.length
    const upToDate = await feeds.run(feedId)
    t.match(
      upToDate,
      { status: 'succeeded', counts: { fetched: 0, new: 0, rejected: 0 } },
      'up to date: nothing fetched',
    )
    t.same(filesFetched(before), ['manifest.json'], 'only the manifest was read')

    publishD = true
    before = server.requests.length
    const afterNewEvent = await feeds.run(feedId)
    t.equal(afterNewEvent.status, 'succeeded', afterNewEvent.error ?? 'succeeded')
    t.same(filesFetched(before), ['manifest.json', `${D}.json`], 'only the newer event was fetched')
    t.match(afterNewEvent.counts, { new: afterNewEvent.counts.fetched, unchanged: 0, rejected: 0 })
    const now = await feeds.stored()
    const added = now.filter((o) => !stored.some((s) => s.stix_id === o.stix_id))
    t.equal(added.length, afterNewEvent.counts.new)
    t.ok(
      added.some((o) => o.stix_id === `report--${D}`),
      'the new event report',
    )
    t.ok(
      added.some((o) => o.stix_id === 'indicator--d4d4d4d4-0001-4d00-8000-000000000001'),
      'its indicator',
    )
    t.ok(
      added.every((o) => markings(o.document).includes(TLP.amber) && o.producer_org_id === org.id),
      'no TLP in the event: the feed default',
    )
    t.same(JSON.parse((await feeds.checkpoint(feedId))!), { timestamp: 1709500000, uuid: D })

    await knex('feeds').where({ id: feedId }).update({ checkpoint: null })
    const again = await feeds.run(feedId)
    t.match(
      again,
      { status: 'partial', counts: { new: 0, newVersions: 0, unchanged: now.length, rejected: 3 } },
      'a full re-run over unchanged data',
    )
    t.equal((await feeds.stored()).length, now.length, 'nothing new stored')
    publishD = false
  },
)

t.test('bad payloads fail the run with the reason; nothing is stored, no checkpoint', async (t) => {
  for (const [feed, reason] of [
    ['unauthorized', /HTTP 401/],
    ['bad-json', /not valid JSON/],
  ] as const) {
    const collectionId = await feeds.newCollection()
    const feedId = await feeds.makeFeed('misp', { url: `${server.origin}/${feed}/` }, collectionId)
    const result = await feeds.run(feedId)
    t.equal(result.status, 'failed', `${feed}: failed`)
    t.match(result.error, reason, `${feed}: reason recorded (${result.error})`)
    t.equal(result.attempts, 1, `${feed}: not retried`)
    t.equal((await feeds.stored(collectionId)).length, 0, `${feed}: nothing stored`)
    t.equal(await feeds.checkpoint(feedId), null, `${feed}: checkpoint unchanged`)
  }
})
