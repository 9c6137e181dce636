import { readFile } from 'node:fs/promises'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { buildFeedsApp, createOrgWithUsers, pluginFixture } from './feed-helper.js'
import { feedRunner, markings, TLP } from './run-helper.js'

const API_KEY = 'otx-e2e-key-0123456789'
const LATEST = '2024-03-03T07:45:10.250Z'
type Pulse = { id: string; modified: string; tlp?: string; indicators: { id: number }[] }
const page = async (n: number) => JSON.parse(await readFile(pluginFixture('feed-otx', `page${n}.json`), 'utf8'))
/** A pulse modified after the fixtures' newest, without a TLP. */
const newer: Pulse = {
  ...(await page(2)).results[0],
  id: '65e4d3c5f6e7d8091a2b3c44',
  name: 'Newer pulse, no TLP',
  modified: '2024-03-04T09:00:00.000000',
}
delete newer.tlp
// new values too: observables have value-derived ids, so reused values would count as unchanged
newer.indicators = newer.indicators
  .filter((i) => i.id !== 3830002)
  .map((i) => ({ ...i, indicator: i.id === 3830001 ? '203.0.113.99' : 'a'.repeat(40) }))
let published: Pulse[] = []

const server = await startFixtureServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  const [, mode] = url.pathname.split('/')
  if (req.headers['x-otx-api-key'] !== API_KEY)
    return void res.writeHead(401).end('{"detail":"Authentication required"}')
  if (mode === 'bad-json') return void res.end('{"results": [{"id": "x",')
  const since = url.searchParams.get('modified_since')
  if (since) {
    // modified_since: one page with what was modified after it
    const all = [...(await page(1)).results, ...(await page(2)).results, ...published] as Pulse[]
    const results = all.filter((p) => Date.parse(`${p.modified}Z`) > Date.parse(since))
    return void res.end(JSON.stringify({ count: results.length, next: null, previous: null, results }))
  }
  const text = await readFile(pluginFixture('feed-otx', `page${url.searchParams.get('page')}.json`), 'utf8')
  res.end(text.replaceAll('{origin}', server.origin))
})
t.teardown(() => server.close())

const { app, knex } = await buildFeedsApp(t)
const org = await createOrgWithUsers(knex)
const feeds = feedRunner(app, knex, org)
const config = (extra: Record<string, unknown> = {}) => ({
  apiKey: API_KEY,
  baseUrl: server.origin,
  pageSize: 2,
  ...extra,
})

t.test('OTX pulses: stored with producer and TLP, bad indicators rejected, modified_since = checkpoint', async (t) => {
  const feedId = await feeds.makeFeed('otx', config())
  const first = await feeds.run(feedId)
  t.equal(first.status, 'partial', first.error ?? 'finished, with rejected indicators')
  t.match(first.counts, { rejected: 2, unchanged: 0 })
  t.equal(first.counts.fetched, first.counts.new + 2)
  t.match(first.rejections, [
    { reason: /indicator 3810005: unsupported OTX indicator type "YARA"/ },
    { reason: /indicator 3830002: "not-an-ip" is not a valid IPv4/ },
  ])
  const stored = await feeds.stored()
  t.equal(stored.length, first.counts.new)
  t.equal(stored.filter((o) => o.stix_id.startsWith('report--')).length, 3)
  t.equal(stored.filter((o) => o.stix_id.startsWith('indicator--')).length, 10)
  t.ok(
    stored.every((o) => o.producer_org_id === org.id),
    'producer is the feed org',
  )
  const report = (name: string) => stored.find((o) => o.stix_id.startsWith('report--') && o.document.name === name)!
  t.same(
    markings(report('Pikabot distribution via malvertising').document),
    [TLP.clear],
    "the pulse's TLP (white) is kept",
  )
  t.same(markings(report('Ivanti Connect Secure exploitation').document), [TLP.green])
  t.equal(await feeds.checkpoint(feedId), LATEST, 'checkpoint: the greatest pulse modified')

  let before = server.requests.length
  const upToDate = await feeds.run(feedId)
  t.equal(
    new URL(server.requests[before].url, 'http://x').searchParams.get('modified_since'),
    LATEST,
    'modified_since = checkpoint',
  )
  t.match(upToDate, { status: 'succeeded', counts: { fetched: 0, new: 0 } }, 'nothing newer: nothing fetched')

  published = [newer]
  before = server.requests.length
  const second = await feeds.run(feedId)
  t.equal(second.status, 'succeeded', second.error ?? 'succeeded')
  t.equal(new URL(server.requests[before].url, 'http://x').searchParams.get('modified_since'), LATEST)
  t.match(second.counts, { new: second.counts.fetched, unchanged: 0, rejected: 0 }, 'only the newer pulse, all new')
  const now = await feeds.stored()
  const added = now.filter((o) => !stored.some((s) => s.stix_id === o.stix_id))
  t.equal(added.length, second.counts.new)
  t.equal(added.filter((o) => o.stix_id.startsWith('report--')).length, 1, 'one report')
  t.equal(added.filter((o) => o.stix_id.startsWith('indicator--')).length, 2, 'its two valid indicators')
  t.ok(
    added.every((o) => markings(o.document).includes(TLP.amber) && o.producer_org_id === org.id),
    'no pulse TLP: the feed default',
  )
  t.equal(await feeds.checkpoint(feedId), '2024-03-04T09:00:00.000Z')

  published = []
  await knex('feeds').where({ id: feedId }).update({ checkpoint: null })
  const again = await feeds.run(feedId)
  t.match(
    again,
    { status: 'partial', counts: { new: 0, newVersions: 0, unchanged: first.counts.new, rejected: 2 } },
    'a full re-run over unchanged data',
  )
  t.equal((await feeds.stored()).length, now.length, 'nothing new stored')
})

t.test('bad payloads fail the run with the reason; nothing is stored, no checkpoint', async (t) => {
  for (const [what, extra, reason] of [
    ['HTTP 401', { apiKey: 'wrong-key' }, /HTTP 401 .*refused the credentials/],
    ['invalid JSON', { baseUrl: `${server.origin}/bad-json` }, /not valid JSON/],
  ] as const) {
    const collectionId = await feeds.newCollection()
    const feedId = await feeds.makeFeed('otx', config(extra), collectionId)
    const result = await feeds.run(feedId)
    t.equal(result.status, 'failed', `${what}: failed`)
    t.match(result.error, reason, `${what}: reason recorded (${result.error})`)
    t.notMatch(result.error, /wrong-key/, `${what}: no key in the reason`)
    t.equal(result.attempts, 1, `${what}: not retried`)
    t.equal((await feeds.stored(collectionId)).length, 0, `${what}: nothing stored`)
    t.equal(await feeds.checkpoint(feedId), null, `${what}: checkpoint unchanged`)
  }
})
