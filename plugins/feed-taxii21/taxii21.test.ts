import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ServerResponse } from 'node:http'
import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import {
  assertValidStix,
  collectRun,
  createFeedSource,
  firstRun,
  runFeedSourceContract,
  sendTruncated,
  startFixtureServer,
} from '../../test/contract/feed-source.js'
import definition from './index.js'

interface Entry {
  date_added: string
  object: StixObject
}
const collection = JSON.parse(
  await readFile(join(import.meta.dirname, 'fixtures', 'collection.json'), 'utf8'),
) as Entry[]
const LAST = '2024-03-02T09:00:00.000000Z'
const BASIC = `Basic ${Buffer.from('analyst:s3cret').toString('base64')}`

/** A TAXII 2.1 objects endpoint over the fixture collection, with knobs for server quirks. */
function answerObjects(res: ServerResponse, query: URLSearchParams, opts: { inclusive: boolean; paging: boolean }) {
  const after = query.get('added_after')
  const matching = collection.filter((e) => !after || (opts.inclusive ? e.date_added >= after : e.date_added > after))
  const offset = opts.paging ? Number(query.get('next') ?? 0) : 0
  const limit = Number(query.get('limit'))
  const page = matching.slice(offset, offset + limit)
  const more = offset + limit < matching.length
  const headers: Record<string, string> = { 'content-type': 'application/taxii+json;version=2.1' }
  if (page.length > 0) {
    headers['x-taxii-date-added-first'] = page[0].date_added
    headers['x-taxii-date-added-last'] = page[page.length - 1].date_added
  }
  const envelope = {
    more,
    ...(more && opts.paging ? { next: String(offset + limit) } : {}),
    objects: page.map((e) => e.object),
  }
  res.writeHead(200, headers).end(page.length ? JSON.stringify(envelope) : '{}')
}

const server = await startFixtureServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  const [, mode] = url.pathname.split('/')
  if (!url.pathname.endsWith('/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/'))
    return void res.writeHead(404).end()
  if (req.headers.accept !== 'application/taxii+json;version=2.1') return void res.writeHead(406).end()
  switch (mode) {
    case 'paging':
      return answerObjects(res, url.searchParams, { inclusive: false, paging: true })
    case 'inclusive':
      return answerObjects(res, url.searchParams, { inclusive: true, paging: false })
    case 'basic':
      if (req.headers.authorization !== BASIC) return void res.writeHead(401).end('{"title":"Unauthorized"}')
      return answerObjects(res, url.searchParams, { inclusive: false, paging: true })
    case 'bearer':
      if (req.headers.authorization !== 'Bearer tok-123') return void res.writeHead(403).end()
      return answerObjects(res, url.searchParams, { inclusive: false, paging: true })
    case 'apikey':
      if (req.headers['x-api-key'] !== 'k-456') return void res.writeHead(401).end()
      return answerObjects(res, url.searchParams, { inclusive: false, paging: true })
    case 'repeating':
      res.writeHead(200, { 'x-taxii-date-added-last': collection[1].date_added })
      return void res.end(
        JSON.stringify({ more: true, next: 'same', objects: [collection[0].object, collection[1].object] }),
      )
    case 'no-headers':
      return void res.end(JSON.stringify({ more: true, objects: [collection[0].object] }))
    case 'bad-items':
      res.writeHead(200, { 'x-taxii-date-added-last': collection[0].date_added })
      return void res.end(
        JSON.stringify({ more: false, objects: [collection[0].object, 'junk', { type: 'indicator' }] }),
      )
    case 'broken':
      return void res.writeHead(500).end()
    case 'hang':
      return
    case 'bad-json':
      return void res.end('{"more": false, "objects": [{"type": "indicator",')
    case 'truncated':
      return sendTruncated(
        res,
        JSON.stringify({ more: false, objects: collection.map((e) => e.object) }).slice(0, 400),
        9000,
      )
    default:
      return void res.writeHead(404).end()
  }
})
t.teardown(() => server.close())

const collectionUrl = (mode: string) =>
  `${server.origin}/${mode}/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/`
const signal = () => new AbortController().signal
const pull = async (mode: string, extra: Record<string, unknown> = {}, checkpoint: string | null = null) =>
  collectRun(
    await createFeedSource(definition, {
      collectionUrl: collectionUrl(mode),
      timeoutMs: 30_000,
      pageSize: 2,
      ...extra,
    }),
    firstRun(signal(), checkpoint),
  )
const keys = (objects: StixObject[]) => objects.map((o) => `${o.id}|${o.modified}`)
const allKeys = collection.map((e) => `${e.object.id}|${e.object.modified}`)
const queries = (from: number) =>
  server.requests.slice(from).map((r) => Object.fromEntries(new URL(r.url, 'http://x').searchParams))

t.test('contract', (t) =>
  runFeedSourceContract(t, {
    definition,
    validConfig: { collectionUrl: collectionUrl('paging'), pageSize: 2 },
    invalidConfig: { collectionUrl: collectionUrl('paging'), auth: { type: 'basic', username: 'x' } },
    fixture: server,
  }),
)

t.test('follows next while more; a checkpoint per page = X-TAXII-Date-Added-Last', async (t) => {
  const before = server.requests.length
  const run = await pull('paging')
  t.same(keys(run.objects), allKeys, 'every object version, in order, once')
  t.same(run.checkpoints, ['2024-03-01T10:00:00.200000Z', '2024-03-01T10:00:00.300000Z', LAST])
  t.same(queries(before), [{ limit: '2' }, { limit: '2', next: '2' }, { limit: '2', next: '4' }])
  t.equal(run.items.at(-1)?.kind, 'checkpoint')
  assertValidStix(t, run.objects)
})

t.test('re-run from the checkpoint: added_after sent, nothing new', async (t) => {
  const before = server.requests.length
  const run = await pull('paging', {}, LAST)
  t.same(run.items, [])
  t.same(queries(before), [{ limit: '2', added_after: LAST }])
})

t.test('inclusive added_after without next: falls back to Date-Added-Last, no duplicates, ends', async (t) => {
  const run = await pull('inclusive', { pageSize: 3 })
  t.same(keys(run.objects), allKeys)
  t.same(run.checkpoints, ['2024-03-01T10:00:00.300000Z', '2024-03-02T08:30:00.000000Z', LAST])
})

t.test('inclusive server whose page is all one date_added: stops instead of looping', async (t) => {
  const run = await pull('inclusive', { pageSize: 2 })
  t.same(new Set(keys(run.objects)).size, run.objects.length, 'no duplicates')
  t.ok(run.objects.length >= 4)
})

t.test('a server repeating the same page: stops after the repeat', async (t) => {
  const before = server.requests.length
  const run = await pull('repeating')
  t.equal(run.objects.length, 2)
  t.equal(server.requests.length - before, 2)
})

t.test('more without next nor headers: one page, then stops', async (t) => {
  const run = await pull('no-headers')
  t.equal(run.objects.length, 1)
  t.same(run.checkpoints, [])
})

t.test('entries that are not STIX objects are rejected', async (t) => {
  const run = await pull('bad-items')
  t.equal(run.objects.length, 1)
  t.same(
    run.rejected.map((r) => r.ref),
    ['objects[1]', 'objects[2]'],
  )
})

t.test('authentication: basic, bearer, api-key', async (t) => {
  const basic = await pull('basic', { auth: { type: 'basic', username: 'analyst', password: 's3cret' } })
  t.equal(basic.objects.length, collection.length)
  const bearer = await pull('bearer', { auth: { type: 'bearer', token: 'tok-123' } })
  t.equal(bearer.objects.length, collection.length)
  const apiKey = await pull('apikey', { auth: { type: 'api-key', header: 'X-API-Key', value: 'k-456' } })
  t.equal(apiKey.objects.length, collection.length)
})

const failures: Array<[string, string, Record<string, unknown>, RegExp, boolean]> = [
  [
    'wrong basic credentials (401)',
    'basic',
    { auth: { type: 'basic', username: 'analyst', password: 'nope' } },
    /HTTP 401 .*refused the credentials/,
    false,
  ],
  ['no bearer token (403)', 'bearer', {}, /HTTP 403 .*refused the credentials/, false],
  ['HTTP 500', 'broken', {}, /HTTP 500/, true],
  // the only short timeout: elsewhere a loaded machine must not turn a refusal or truncation into a timeout
  ['a server that never answers', 'hang', { timeoutMs: 200 }, /within 200 ms/, true],
  ['invalid JSON', 'bad-json', {}, /not valid JSON/, false],
  ['a truncated body', 'truncated', {}, /cut short/, false],
  ['an unknown collection (404)', 'nowhere', {}, /HTTP 404/, false],
]
for (const [what, mode, extra, message, retryable] of failures) {
  t.test(`${what} → ${retryable ? 'SourceUnavailableError' : 'SourceDataError'}`, async (t) => {
    const failure = await pull(mode, extra).catch((err: Error) => err)
    t.match(failure, { name: retryable ? 'SourceUnavailableError' : 'SourceDataError', retryable, message })
    t.notMatch((failure as Error).message, /nope|s3cret/, 'no secret in the message')
  })
}
