import { readFile, copyFile, symlink, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import {
  assertValidStix,
  collectRun,
  createFeedSource,
  FIXTURE_EGRESS,
  firstRun,
  parseObjectText,
  runFeedSourceContract,
  sendTruncated,
  startFixtureServer,
} from '../../test/contract/feed-source.js'
import definition from './index.js'

const fixtures = join(import.meta.dirname, 'fixtures')
const ETAG = '"bundle-v1"'
const LAST_MODIFIED = 'Fri, 01 Mar 2024 09:10:00 GMT'

const server = await startFixtureServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  switch (path) {
    case '/bundle.json':
      if (req.headers['if-none-match'] === ETAG) return void res.writeHead(304).end()
      res.writeHead(200, { 'content-type': 'application/stix+json', etag: ETAG, 'last-modified': LAST_MODIFIED })
      return void res.end(await readFile(join(fixtures, 'bundle.json')))
    case '/large.json':
      return streamLargeBundle(res, 20_000)
    case '/unauthorized':
      return void res.writeHead(401).end('{"error":"bad token"}')
    case '/broken':
      return void res.writeHead(502).end('bad gateway')
    case '/hang':
      return // never answers
    case '/truncated':
      return sendTruncated(res, (await readFile(join(fixtures, 'bundle.json'), 'utf8')).slice(0, 900), 5000)
    default: {
      const body = await readFile(join(fixtures, path.slice(1))).catch(() => null)
      if (body === null) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(body)
    }
  }
})
t.teardown(() => server.close())

function streamLargeBundle(res: import('node:http').ServerResponse, count: number) {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.write('{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[')
  for (let i = 0; i < count; i++) {
    const hex = i.toString(16).padStart(12, '0')
    const obj = { type: 'note', spec_version: '2.1', id: `note--00000000-0000-4000-8000-${hex}`, content: `note ${i}` }
    res.write(`${i ? ',' : ''}${JSON.stringify(obj)}`)
  }
  res.end(']}')
}

const source = (config: Record<string, unknown>) => createFeedSource(definition, config)
const signal = () => new AbortController().signal

t.test('contract', (t) =>
  runFeedSourceContract(t, {
    definition,
    validConfig: { url: `${server.origin}/bundle.json` },
    invalidConfig: { url: 'ftp://example.org/bundle.json', timeoutMs: 0 },
    fixture: server,
  }),
)

t.test('yields every object, then one checkpoint with the validators', async (t) => {
  const run = await collectRun(await source({ url: `${server.origin}/bundle.json` }), firstRun(signal()))
  t.same(
    run.objects.map((o) => o.type),
    ['identity', 'malware', 'indicator', 'relationship', 'ipv4-addr'],
  )
  t.equal(run.items.at(-1)?.kind, 'checkpoint', 'the checkpoint comes last')
  t.same(JSON.parse(run.checkpoints[0]), { etag: ETAG, lastModified: LAST_MODIFIED })
  t.same(run.totals, [], 'a download is read once: no total')
  assertValidStix(t, run.objects)
})

t.test('re-run with the checkpoint: conditional request, 304, nothing yielded', async (t) => {
  const checkpoint = JSON.stringify({ etag: ETAG, lastModified: LAST_MODIFIED })
  const before = server.requests.length
  const run = await collectRun(await source({ url: `${server.origin}/bundle.json` }), firstRun(signal(), checkpoint))
  t.same(run.items, [])
  const request = server.requests[before]
  t.equal(request.headers['if-none-match'], ETAG)
  t.equal(request.headers['if-modified-since'], LAST_MODIFIED)
})

t.test('streams a large bundle', async (t) => {
  let objects = 0
  for await (const item of (await source({ url: `${server.origin}/large.json` })).pull(firstRun(signal()))) {
    if (item.kind === 'object' || item.kind === 'object-text') objects++
  }
  t.equal(objects, 20_000)
})

t.test('entries that are not STIX objects are rejected, the rest goes through', async (t) => {
  const run = await collectRun(await source({ url: `${server.origin}/bad-entries.json` }), firstRun(signal()))
  t.equal(run.objects.length, 2)
  t.same(
    run.rejected.map((r) => r.ref),
    ['objects[1]', 'objects[2]', 'objects[3]'],
  )
  t.match(run.rejected[0].reason, /objects\[1\] is not a JSON object \(string\)/)
  t.equal(run.checkpoints.length, 1)
})

const failures: Array<[string, string, RegExp, boolean]> = [
  ['invalid JSON mid-stream', '/invalid-mid-stream.json', /invalid JSON/, false],
  ['a document that is not a bundle', '/not-a-bundle.json', /not "bundle"/, false],
  ['HTTP 401', '/unauthorized', /HTTP 401 .*refused the credentials/, false],
  ['HTTP 404', '/missing.json', /HTTP 404/, false],
  ['HTTP 502', '/broken', /HTTP 502 .*try again later/, true],
  ['a truncated body', '/truncated', /cut short|ends before the document is complete/, false],
  ['a server that never answers', '/hang', /no answer from .* within 200 ms/, true],
]
// Only the server that never answers gets a short timeout: elsewhere a generous one, so a loaded machine
// cannot turn a refusal or a truncation into a timeout (the truncating server closes the socket itself).
const timeoutFor = (path: string) => (path === '/hang' ? 200 : 30_000)
for (const [what, path, message, retryable] of failures) {
  t.test(`${what} → ${retryable ? 'SourceUnavailableError' : 'SourceDataError'}, no checkpoint`, async (t) => {
    const items: string[] = []
    const pulling = (async () => {
      for await (const item of (await source({ url: `${server.origin}${path}`, timeoutMs: timeoutFor(path) })).pull(
        firstRun(signal()),
      )) {
        // An entry given as text is parsed as it comes, as the core parses one it does not store yet.
        items.push((item.kind === 'object-text' ? parseObjectText(item) : item).kind)
      }
    })()
    await t.rejects(pulling, {
      name: retryable ? 'SourceUnavailableError' : 'SourceDataError',
      retryable,
      message,
    })
    t.notOk(items.includes('checkpoint'), 'no checkpoint yielded')
  })
}

t.test('unreachable host → SourceUnavailableError', async (t) => {
  const closed = await startFixtureServer(() => undefined)
  await closed.close()
  const pulling = collectRun(await source({ url: `${closed.origin}/bundle.json` }), firstRun(signal()))
  await t.rejects(pulling, { name: 'SourceUnavailableError', message: /cannot reach/ })
})

/** A source reading files of `filesDir`, set up by a platform admin unless `localFiles` is false. */
const fileSource = (path: string, filesDir: string | undefined, localFiles = true) =>
  createFeedSource(definition, { path }, { egress: { ...FIXTURE_EGRESS, filesDir }, localFiles })

t.test('local file: read once, then skipped until mtime or size change', async (t) => {
  const dir = t.testdir({})
  const path = join(dir, 'bundle.json')
  await copyFile(join(fixtures, 'bundle.json'), path)
  const feed = await fileSource('bundle.json', dir)
  const first = await collectRun(feed, firstRun(signal()))
  t.equal(first.objects.length, 5)
  t.same(first.items[0], { kind: 'total', total: 5 }, 'a file is counted first: its total comes before any object')
  const checkpoint = first.checkpoints[0]
  t.match(JSON.parse(checkpoint), { mtimeMs: Number, size: Number })

  t.same((await collectRun(feed, firstRun(signal(), checkpoint))).items, [], 'unchanged file: nothing')
  await utimes(path, new Date(), new Date(Date.now() + 5000))
  t.equal((await collectRun(feed, firstRun(signal(), checkpoint))).objects.length, 5, 'touched file: read again')
  t.equal(
    (await collectRun(await fileSource(path, dir), firstRun(signal()))).objects.length,
    5,
    'an absolute path inside the folder',
  )
})

t.test('local file: the total counts rejected entries too; a file that is not JSON has none', async (t) => {
  const dir = t.testdir({ 'broken.json': '{"type": "bundle", "objects": [{"type": "indicator"' })
  await copyFile(join(fixtures, 'bad-entries.json'), join(dir, 'bad.json'))
  const bad = await collectRun(await fileSource('bad.json', dir), firstRun(signal()))
  t.same(bad.totals, [bad.objects.length + bad.rejected.length])
  t.ok(bad.rejected.length > 0, 'the fixture has rejected entries')
  const broken = collectRun(await fileSource('broken.json', dir), firstRun(signal()))
  await t.rejects(broken, { name: 'SourceDataError' }, 'the parse still reports the truncated document')
})

t.test('local file that does not exist → SourceDataError', async (t) => {
  const feed = await fileSource('nope.json', fixtures)
  await t.rejects(collectRun(feed, firstRun(signal())), { name: 'SourceDataError', message: /ENOENT/ })
})

t.test(
  'local files: refused when the feed is saved unless a platform admin sets it up inside the folder',
  async (t) => {
    await t.rejects(
      fileSource('bundle.json', undefined),
      /local file feeds are disabled .*CRISP_FEED_FILES_DIR/,
      'no folder configured',
    )
    await t.rejects(fileSource('bundle.json', fixtures, false), /only platform admins/, 'not a platform admin')
    await t.rejects(fileSource('../fixtures/bundle.json', fixtures), /"\.\." is not allowed/, '..')
    await t.rejects(
      fileSource('/etc/passwd', fixtures),
      /not inside the feed files folder/,
      'an absolute path elsewhere',
    )
  },
)

t.test('local files: a symbolic link leading out of the folder is refused when read', async (t) => {
  const dir = t.testdir({ inside: {} })
  await symlink(join(fixtures, 'bundle.json'), join(dir, 'inside', 'escape.json'))
  await symlink(join(fixtures), join(dir, 'inside', 'elsewhere'))
  for (const path of ['escape.json', 'elsewhere/bundle.json']) {
    const feed = await fileSource(path, join(dir, 'inside'))
    const run = collectRun(feed, firstRun(signal()))
    await t.rejects(
      run,
      { name: 'SourceDataError', message: /symbolic link leads outside the feed files folder/ },
      path,
    )
  }
})

t.test('url and path together are refused', async (t) => {
  await t.rejects(source({ url: `${server.origin}/bundle.json`, path: '/tmp/x.json' }), /exactly one of/)
})
