import { readFile } from 'node:fs/promises'
import t from 'tap'
import { sendTruncated, startFixtureServer } from '../contract/feed-source.js'
import { buildFeedsApp, createOrgWithUsers, pluginFixture } from './feed-helper.js'
import { feedRunner, markings, TLP } from './run-helper.js'

const LAST_MODIFIED = 'Tue, 05 Mar 2024 10:05:01 GMT'
const server = await startFixtureServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (path === '/401') return void res.writeHead(401).end('no')
  if (path === '/truncated') return sendTruncated(res, '198.51.100.1\n198.51.100.2\n', 10_000)
  if (req.headers['if-modified-since'] === LAST_MODIFIED) return void res.writeHead(304).end()
  const body = await readFile(pluginFixture('feed-csv', path.slice(1))).catch(() => null)
  if (body === null) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/plain', 'last-modified': LAST_MODIFIED }).end(body)
})
t.teardown(() => server.close())

const { app, knex } = await buildFeedsApp(t)
const org = await createOrgWithUsers(knex)
const feeds = feedRunner(app, knex, org)

t.test(
  'a list of every value kind: indicators + observables stored, bad lines rejected, re-runs store nothing new',
  async (t) => {
    const feedId = await feeds.makeFeed('csv', { url: `${server.origin}/mixed-values.txt` })
    const first = await feeds.run(feedId)
    t.equal(first.status, 'partial', first.error ?? 'finished, with rejected lines')
    // 11 values → 11 indicators + 11 observables; lines 13 and 14 are not indicators
    t.match(first.counts, { fetched: 24, new: 22, newVersions: 0, unchanged: 0, rejected: 2 })
    t.match(first.rejections, [
      { ref: 'line 13', reason: /line 13: "this is not an indicator"/ },
      { ref: 'line 14', reason: /line 14: "999\.1\.1\.1"/ },
    ])
    t.ok(first.durationMs !== null && first.durationMs >= 0)

    const stored = await feeds.stored()
    t.equal(stored.length, 22)
    t.equal(stored.filter((o) => o.stix_id.startsWith('indicator--')).length, 11)
    t.ok(
      stored.every((o) => o.producer_org_id === org.id),
      'producer is the feed org',
    )
    t.ok(
      stored.every((o) => markings(o.document).includes(TLP.amber)),
      'the feed default TLP on every object (the list gives none)',
    )
    t.ok(
      stored.every((o) => o.tlp === 'amber'),
      'tlp column is amber',
    )
    t.same(JSON.parse((await feeds.checkpoint(feedId))!), { lastModified: LAST_MODIFIED }, 'checkpoint = Last-Modified')

    const before = server.requests.length
    const second = await feeds.run(feedId)
    t.equal(
      server.requests[before].headers['if-modified-since'],
      LAST_MODIFIED,
      'the checkpoint is sent as If-Modified-Since',
    )
    t.match(second, { status: 'succeeded', counts: { fetched: 0, new: 0, rejected: 0 } }, '304: nothing fetched')

    await knex('feeds').where({ id: feedId }).update({ checkpoint: null })
    const third = await feeds.run(feedId)
    t.match(
      third,
      { status: 'partial', counts: { fetched: 24, new: 0, newVersions: 0, unchanged: 22, rejected: 2 } },
      'same ids: all unchanged',
    )
    t.equal((await feeds.stored()).length, 22, 'nothing new stored')
  },
)

t.test('URLhaus CSV with a column: same ids across runs, the quoted-newline record stored', async (t) => {
  const collectionId = await feeds.newCollection()
  const feedId = await feeds.makeFeed(
    'csv',
    { url: `${server.origin}/urlhaus-recent.csv`, column: 'url', dateColumn: 'dateadded' },
    collectionId,
    'green',
  )
  const first = await feeds.run(feedId)
  t.match(first, { status: 'partial', counts: { new: 10, rejected: 1 } })
  t.match(first.rejections, [{ ref: 'line 14', reason: /line 14/ }])
  const stored = await feeds.stored(collectionId)
  t.ok(
    stored.every((o) => markings(o.document).includes(TLP.green)),
    'default TLP green',
  )
  t.ok(stored.some((o) => o.document.pattern === "[url:value = 'http://45.95.147.229/x86_64']"))
})

t.test('bad payloads fail the run with the reason; nothing is stored, no checkpoint', async (t) => {
  for (const [path, reason] of [
    ['/401', /HTTP 401/],
    ['/truncated', /cut short/],
  ] as const) {
    const collectionId = await feeds.newCollection()
    const feedId = await feeds.makeFeed('csv', { url: `${server.origin}${path}` }, collectionId)
    const result = await feeds.run(feedId)
    t.equal(result.status, 'failed', `${path}: failed`)
    t.match(result.error, reason, `${path}: reason recorded (${result.error})`)
    t.equal(result.attempts, 1, `${path}: not retried`)
    t.equal((await feeds.stored(collectionId)).length, 0, `${path}: nothing stored`)
    t.equal(await feeds.checkpoint(feedId), null, `${path}: checkpoint unchanged`)
  }
})
