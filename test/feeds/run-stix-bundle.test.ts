import { readFile } from 'node:fs/promises'
import t from 'tap'
import { sendTruncated, startFixtureServer } from '../contract/feed-source.js'
import { runFeed } from '../../core/feeds/run-feed.js'
import type { FeedRunStatus } from '../../core/model/vocabularies.js'
import { storeObjects } from '../../core/store/index.js'
import {
  authAs,
  buildFeedsApp,
  createOrgWithUsers,
  feedRow,
  pluginFixture,
  runRow,
  storedObjects,
  waitForRun,
} from './feed-helper.js'

const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
const bundle = await readFile(pluginFixture('feed-stix-bundle', 'bundle.json'))
const server = await startFixtureServer(async (req, res) => {
  switch (req.url) {
    case '/bundle.json':
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end()
      return void res.writeHead(200, { etag: '"v1"', 'content-type': 'application/json' }).end(bundle)
    case '/invalid.json':
      return void res.writeHead(200).end(await readFile(pluginFixture('feed-stix-bundle', 'invalid-mid-stream.json')))
    case '/bad-entries.json':
      return void res.writeHead(200).end(await readFile(pluginFixture('feed-stix-bundle', 'bad-entries.json')))
    case '/401':
      return void res.writeHead(401).end('no')
    case '/500':
      return void res.writeHead(500).end('down')
    case '/truncated':
      return sendTruncated(res, bundle.toString().slice(0, 900), bundle.length)
    default:
      return void res.writeHead(404).end()
  }
})
t.teardown(() => server.close())

const { app, knex, config } = await buildFeedsApp(t)
const org = await createOrgWithUsers(knex)
const headers = authAs(org.publisher)

async function makeFeed(path: string, collectionId = org.collectionId) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers,
    payload: {
      name: path,
      source: 'stix-bundle',
      config: { url: `${server.origin}${path}` },
      collectionId,
      defaultTlp: 'amber',
    },
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().id as string
}
async function run(feedId: string, statuses?: readonly FeedRunStatus[]) {
  const res = await app.inject({ method: 'POST', url: `/api/v1/feeds/${feedId}/run`, headers })
  if (res.statusCode !== 202) throw new Error(res.body)
  return waitForRun(knex, res.json().id, statuses)
}
async function newCollection() {
  const [{ id }] = await knex('collections').insert({ organization_id: org.id, title: 'c' }).returning('id')
  return id as string
}

t.test('ingests a bundle with producer org and default TLP; re-runs store nothing new', async (t) => {
  const feedId = await makeFeed('/bundle.json')
  const first = await run(feedId)
  t.equal(first.status, 'succeeded', first.error ?? 'succeeded')
  t.match(first, { fetched: 5, new_objects: 5, unchanged: 0, rejected: 0 })
  const stored = await storedObjects(knex, org.collectionId)
  t.equal(stored.length, 5)
  t.ok(
    stored.every((o) => o.producer_org_id === org.id),
    'producer is the feed org',
  )
  const indicator = stored.find((o) => o.stix_id.startsWith('indicator--'))!
  t.same(indicator.document.object_marking_refs, [GREEN], 'an existing TLP is kept')
  t.ok(
    stored.filter((o) => o !== indicator).every((o) => (o.document.object_marking_refs as string[]).includes(AMBER)),
    'default TLP added',
  )
  t.match((await feedRow(knex, feedId)).checkpoint, /v1/, 'ETag checkpoint stored')

  const second = await run(feedId)
  t.match(second, { status: 'succeeded', fetched: 0, new_objects: 0 }, '304: nothing fetched')
  await knex('feeds').where({ id: feedId }).update({ checkpoint: null })
  const third = await run(feedId)
  t.match(
    third,
    { status: 'succeeded', fetched: 5, new_objects: 0, new_versions: 0, unchanged: 5 },
    'unchanged data stores nothing',
  )
  t.equal((await storedObjects(knex, org.collectionId)).length, 5)
})

t.test('bad payloads fail the run with the reason; nothing partial is stored', async (t) => {
  for (const [path, reason] of [
    ['/invalid.json', /invalid JSON/],
    ['/truncated', /./],
    ['/401', /401/],
  ] as const) {
    const collectionId = await newCollection()
    const feedId = await makeFeed(path, collectionId)
    const result = await run(feedId)
    t.equal(result.status, 'failed', `${path}: failed`)
    t.match(result.error, reason, `${path}: reason recorded (${result.error})`)
    t.equal(result.attempts, 1, `${path}: not retried`)
    t.equal((await storedObjects(knex, collectionId)).length, 0, `${path}: nothing stored`)
    t.equal((await feedRow(knex, feedId)).checkpoint, null, `${path}: checkpoint unchanged`)
  }
})

t.test('invalid entries are rejected with reasons, the rest is stored', async (t) => {
  const collectionId = await newCollection()
  const result = await run(await makeFeed('/bad-entries.json', collectionId))
  t.equal(result.status, 'partial', result.error ?? 'finished, with rejected entries')
  t.ok(result.rejected > 0, `rejected ${result.rejected}`)
  t.equal(result.rejections.length, Math.min(20, result.rejected))
  t.ok(result.rejections.every((r: { reason: string }) => r.reason.length > 0))
  t.same(
    result.rejections.map((r: { ref?: string }) => r.ref).sort(),
    ['objects[1]', 'objects[2]', 'objects[3]'],
    'each named by its place in the bundle, also the one whose text the store had to parse (objects[2])',
  )
  t.match(
    result.rejections.find((r: { ref?: string }) => r.ref === 'objects[2]'),
    { reason: /objects\[2\] has no string "type" and "id"/ },
  )
})

t.test('HTTP 500 is retried with backoff, then the run fails as dead-lettered', async (t) => {
  const collectionId = await newCollection()
  const feedId = await makeFeed('/500', collectionId)
  const queued = await app.inject({ method: 'POST', url: `/api/v1/feeds/${feedId}/run`, headers })
  const runId = queued.json().id
  const deadline = Date.now() + 20_000
  let row = await runRow(knex, runId)
  while (row.attempts < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200))
    row = await runRow(knex, runId)
  }
  t.ok(row.attempts >= 2, `retried (attempts ${row.attempts})`)
  const waiting = await waitForRun(knex, runId, ['queued'])
  t.match(waiting.error, /retrying/)
  // The last attempt (retryCount = retryLimit) marks the run failed.
  const ctx = {
    knex,
    registry: app.registry,
    storeObjects,
    feeds: config.feeds,
    log: app.log,
    secrets: app.feedSecrets,
  }
  await t.rejects(runFeed(ctx, runId, { retryCount: 4, retryLimit: 4 }, new AbortController().signal))
  const failed = await runRow(knex, runId)
  t.equal(failed.status, 'failed')
  t.match(failed.error, /dead-lettered.*500/)
  t.equal((await storedObjects(knex, collectionId)).length, 0)
})

t.test('a re-delivered job for a finished run does nothing', async (t) => {
  const [{ id: runId }] = await knex('feed_runs').where({ status: 'succeeded' }).limit(1).select('id')
  const before = await knex('feed_runs').where({ id: runId }).first()
  const ctx = {
    knex,
    registry: app.registry,
    storeObjects,
    feeds: config.feeds,
    log: app.log,
    secrets: app.feedSecrets,
  }
  await runFeed(ctx, runId, { retryCount: 0, retryLimit: 4 }, new AbortController().signal)
  t.same(await knex('feed_runs').where({ id: runId }).first(), before)
})
