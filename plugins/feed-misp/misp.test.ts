import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parsePattern, type StixObject } from '../../core/plugin-api/index.js'
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

const fixtures = join(import.meta.dirname, 'fixtures')
const [A, B, C] = [
  '5f8c3a2e-1b4d-4c6e-9a7f-0d2e3b4c5a61',
  '6a9d4b3f-2c5e-4d7f-8b80-1e3f4c5d6b72',
  '7bae5c40-3d6f-4e80-9c91-2f405d6e7c83',
]
const TLP = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  amberStrict: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
}

const server = await startFixtureServer(async (req, res) => {
  const [, feed, file] = new URL(req.url ?? '/', 'http://x').pathname.split('/')
  if (feed === 'unauthorized') return void res.writeHead(401).end()
  if (feed === 'broken') return void res.writeHead(503).end()
  if (feed === 'hang') return
  if (feed === 'bad-json') return void res.writeHead(200).end('{"5f8c3a2e-1b4d-4c6e-9a7f-0d2e3b4c5a61": {"timestamp": ')
  if (feed === 'truncated')
    return sendTruncated(res, (await readFile(join(fixtures, 'manifest.json'), 'utf8')).slice(0, 300), 4000)
  if (feed === 'missing-event' && file === 'manifest.json') {
    return void res.end(
      JSON.stringify({ '00000000-0000-4000-8000-000000000000': { info: 'gone', timestamp: '1709100000' } }),
    )
  }
  const body = await readFile(join(fixtures, file ?? '')).catch(() => null)
  if (body === null) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end(body)
})
t.teardown(() => server.close())

const signal = () => new AbortController().signal
const pull = async (feed: string, checkpoint: string | null = null, extra: Record<string, unknown> = {}) =>
  collectRun(
    await createFeedSource(definition, { url: `${server.origin}/${feed}/`, timeoutMs: 30_000, ...extra }),
    firstRun(signal(), checkpoint),
  )
const find = (objects: StixObject[], id: string) => objects.find((o) => o.id === id) as StixObject

t.test('contract', (t) =>
  runFeedSourceContract(t, {
    definition,
    validConfig: { url: `${server.origin}/feed` },
    invalidConfig: { url: 'feed.example/misp', indicatorTypes: [] },
    fixture: server,
  }),
)

t.test('first run: events oldest first, a report per event, a checkpoint after each', async (t) => {
  const run = await pull('feed')
  t.same(
    run.checkpoints.map((c) => JSON.parse(c)),
    [
      { timestamp: 1709200000, uuid: A },
      { timestamp: 1709300000, uuid: B },
      { timestamp: 1709400000, uuid: C },
    ],
  )
  const reports = run.objects.filter((o) => o.type === 'report')
  t.same(
    reports.map((r) => r.id),
    [`report--${A}`, `report--${B}`, `report--${C}`],
  )
  t.equal(run.items.at(-1)?.kind, 'checkpoint')
  const firstReportAt = run.items.findIndex((i) => i.kind === 'object' && i.object.type === 'report')
  t.equal(run.items[firstReportAt + 1].kind, 'checkpoint', 'the checkpoint follows the event report')
  assertValidStix(t, run.objects)
  for (const i of run.objects.filter((o) => o.type === 'indicator'))
    t.doesNotThrow(() => parsePattern(i.pattern as string), i.pattern as string)
})

t.test('event conversion: report, indicators for to_ids, observables for the rest, tags and TLP', async (t) => {
  const { objects } = await pull('feed')
  const report = find(objects, `report--${A}`)
  t.match(report, {
    name: 'Emotet malspam campaign targeting invoices',
    published: '2024-02-29T00:00:00.000Z',
    created: '2024-02-29T09:46:40.000Z',
    labels: ['misp-galaxy:malpedia="Emotet"', 'type:OSINT'],
    object_marking_refs: [TLP.green],
  })
  const refs = report.object_refs as string[]
  t.ok(
    refs.every((ref) => objects.some((o) => o.id === ref)),
    'every object_ref was yielded',
  )
  t.ok(refs.includes('indicator--a1b2c3d4-0001-4a00-8000-000000000001'), 'the to_ids ip-dst became an indicator')
  t.notOk(refs.includes('indicator--a1b2c3d4-0004-4a00-8000-000000000004'), 'the non-to_ids md5 did not')
  t.ok(
    objects.some(
      (o) => o.type === 'file' && (o.hashes as Record<string, string>).MD5 === 'b5c8f3a1d1e2f3a4b5c6d7e8f9a0b1c2',
    ),
  )
  t.match(find(objects, 'indicator--a1b2c3d4-0001-4a00-8000-000000000001'), {
    pattern: "[ipv4-addr:value = '185.244.25.166']",
    object_marking_refs: [TLP.green],
    labels: ['misp-galaxy:malpedia="Emotet"', 'type:OSINT'],
    valid_from: '2024-02-29T09:30:00.000Z',
  })
  t.equal(
    find(objects, 'indicator--a1b2c3d4-0005-4a00-8000-000000000005').pattern,
    "[file:name = 'INV-2024-0231.doc' AND file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
  )
  t.ok(objects.some((o) => o.type === 'vulnerability' && o.name === 'CVE-2017-11882'))

  t.equal(
    find(objects, 'indicator--b1b2c3d4-0001-4b00-8000-000000000001').pattern,
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '45.137.21.9' AND network-traffic:dst_port = 8443]",
  )
  t.ok(objects.some((o) => o.type === 'autonomous-system' && o.number === 9009))
  t.match(find(objects, 'indicator--b1b2c3d4-0006-4b00-8000-000000000006'), { description: 'MISP object file. packed' })
  t.same(find(objects, `report--${B}`).object_marking_refs, [TLP.amber])

  t.same(
    find(objects, 'indicator--c1b2c3d4-0001-4c00-8000-000000000001').object_marking_refs,
    [TLP.amberStrict],
    'attribute TLP wins',
  )
  t.equal(
    find(objects, 'indicator--c1b2c3d4-0003-4c00-8000-000000000003').pattern,
    "[url:value = 'http://login.o\\'brien-bank.example/verify']",
  )
})

t.test('unsupported or invalid attributes are rejected, naming the type or value', async (t) => {
  const { rejected } = await pull('feed')
  t.same(
    rejected.map((r) => r.ref),
    [
      'a1b2c3d4-0007-4a00-8000-000000000007',
      'c1b2c3d4-0002-4c00-8000-000000000002',
      'c1b2c3d4-0004-4c00-8000-000000000004',
    ],
  )
  t.match(
    rejected[0].reason,
    `event ${A} attribute a1b2c3d4-0007-4a00-8000-000000000007: unsupported MISP attribute type "text"`,
  )
  t.match(rejected[1].reason, /"not-a-hash" is not a sha256 hash/)
  t.match(rejected[2].reason, /unsupported MISP attribute type "ja3-fingerprint-md5"/)
})

t.test('re-runs: only events after the checkpoint; nothing when up to date', async (t) => {
  const after = await pull('feed', JSON.stringify({ timestamp: 1709300000, uuid: B }))
  t.same(
    after.objects.filter((o) => o.type === 'report').map((r) => r.id),
    [`report--${C}`],
  )
  const upToDate = await pull('feed', JSON.stringify({ timestamp: 1709400000, uuid: C }))
  t.same(upToDate.items, [])
  t.same(
    (await pull('feed')).objects.map((o) => o.id),
    (await pull('feed')).objects.map((o) => o.id),
    'ids are stable',
  )
})

t.test('an event listed but missing is rejected and passed', async (t) => {
  const run = await pull('missing-event')
  t.match(run.rejected, [{ reason: /is in the manifest but .* is missing \(404\)/ }])
  t.equal(run.checkpoints.length, 1)
})

const failures: Array<[string, string, RegExp, boolean]> = [
  ['invalid JSON manifest', 'bad-json', /not valid JSON/, false],
  ['HTTP 401', 'unauthorized', /HTTP 401 .*refused the credentials/, false],
  ['HTTP 503', 'broken', /HTTP 503/, true],
  ['a server that never answers', 'hang', /within 200 ms/, true],
  ['a truncated manifest', 'truncated', /cut short/, false],
]
for (const [what, feed, message, retryable] of failures) {
  t.test(`${what} → ${retryable ? 'SourceUnavailableError' : 'SourceDataError'}`, async (t) => {
    // Only the server that never answers gets a short timeout (a loaded machine must not turn a truncation into one).
    const extra = feed === 'hang' ? { timeoutMs: 200 } : {}
    await t.rejects(pull(feed, null, extra), {
      name: retryable ? 'SourceUnavailableError' : 'SourceDataError',
      retryable,
      message,
    })
  })
}
