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
const API_KEY = 'otx-test-key-0123456789'
const LATEST = '2024-03-03T07:45:10.250Z'

async function page(n: number, prefix: string) {
  const text = await readFile(join(fixtures, `page${n}.json`), 'utf8')
  return JSON.parse(text.replaceAll('{origin}', `${server.origin}${prefix}`))
}

const server = await startFixtureServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  const [, mode] = url.pathname.split('/')
  if (req.headers['x-otx-api-key'] !== API_KEY)
    return void res.writeHead(403).end('{"detail":"Authentication required"}')
  if (mode === 'broken') return void res.writeHead(500).end()
  if (mode === 'hang') return
  if (mode === 'bad-json') return void res.end('{"results": [{"id": "x",')
  if (mode === 'truncated') return sendTruncated(res, JSON.stringify(await page(1, '')).slice(0, 500), 20_000)
  const since = url.searchParams.get('modified_since')
  if (since && Date.parse(since) >= Date.parse(LATEST)) return void res.end('{"count":0,"next":null,"results":[]}')
  const n = Number(url.searchParams.get('page'))
  if (mode === 'desc') {
    const [p1, p2] = [await page(1, '/desc'), await page(2, '/desc')]
    const body = n === 1 ? { ...p1, results: [...p2.results, p1.results[1]] } : { ...p2, results: [p1.results[0]] }
    return void res.end(JSON.stringify(body))
  }
  const body = await page(n, '')
  if (mode === 'evil') body.next = 'http://attacker.example/api/v1/pulses/subscribed?page=2'
  res.end(JSON.stringify(body))
})
t.teardown(() => server.close())

const signal = () => new AbortController().signal
const config = (prefix = '', extra: Record<string, unknown> = {}) => ({
  apiKey: API_KEY,
  baseUrl: `${server.origin}${prefix}`,
  pageSize: 2,
  // generous: only the "never answers" case uses a short timeout, so a loaded machine cannot fake one
  timeoutMs: 30_000,
  ...extra,
})
const pull = async (prefix = '', checkpoint: string | null = null, extra: Record<string, unknown> = {}) =>
  collectRun(await createFeedSource(definition, config(prefix, extra)), firstRun(signal(), checkpoint))
const byType = (objects: StixObject[], type: string) => objects.filter((o) => o.type === type)

t.test('contract', (t) =>
  runFeedSourceContract(t, {
    definition,
    validConfig: config(),
    invalidConfig: { apiKey: '', pageSize: 0 },
    fixture: server,
  }),
)

t.test('follows next, sends the key, converts pulses, checkpoints after each page', async (t) => {
  const before = server.requests.length
  const run = await pull()
  const requests = server.requests.slice(before)
  t.same(
    requests.map((r) => new URL(r.url, 'http://x').searchParams.get('page')),
    ['1', '2'],
  )
  t.ok(requests.every((r) => r.headers['x-otx-api-key'] === API_KEY))
  t.equal(new URL(requests[0].url, 'http://x').searchParams.get('limit'), '2')
  t.same(run.checkpoints, ['2024-03-02T12:30:00.000Z', LATEST])
  const reports = byType(run.objects, 'report')
  t.same(
    reports.map((r) => r.name),
    [
      'Pikabot distribution via malvertising',
      'Ivanti Connect Secure exploitation',
      'Scanning infrastructure (bad data sample)',
    ],
  )
  t.match(reports[0], {
    labels: ['pikabot', 'malvertising', 'loader'],
    object_marking_refs: ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
    published: '2024-03-01T08:12:30.412Z',
    modified: '2024-03-01T09:00:00.000Z',
  })
  t.same(reports[1].object_marking_refs, ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'])
  t.same(reports[2].object_marking_refs, ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'])
  const patterns = byType(run.objects, 'indicator').map((i) => i.pattern as string)
  t.same(patterns, [
    "[ipv4-addr:value = '198.51.100.77']",
    "[domain-name:value = 'anydesk-download.example']",
    "[url:value = 'https://anydesk-download.example/AnyDesk.msi']",
    "[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']",
    "[ipv6-addr:value = '2001:db8:bad::1']",
    "[domain-name:value = 'vpn-check.example']",
    "[file:hashes.'MD5' = '44d88612fea8a8f36de82e1278abb02f']",
    "[email-addr:value = 'ops@vpn-check.example']",
    "[ipv4-addr:value = '203.0.113.9']",
    "[file:hashes.'SHA-1' = '3395856ce81f2b7382dee72602f798b642f14140']",
  ])
  for (const p of patterns) t.doesNotThrow(() => parsePattern(p))
  t.match(byType(run.objects, 'vulnerability'), [
    { name: 'CVE-2024-21887', external_references: [{ source_name: 'cve' }] },
  ])
  t.match(byType(run.objects, 'indicator')[2], { valid_until: '2024-06-01T00:00:00.000Z' })
  t.same(
    run.rejected.map((r) => r.reason),
    [
      'pulse 65e1a0f2c3b4a5d6e7f80911 indicator 3810005: unsupported OTX indicator type "YARA"',
      'pulse 65e3c2b4e5d6c7f8091a2b33 indicator 3830002: "not-an-ip" is not a valid IPv4',
    ],
  )
  assertValidStix(t, run.objects)
})

t.test('re-run from the checkpoint: modified_since sent, nothing new', async (t) => {
  const before = server.requests.length
  const run = await pull('', LATEST)
  t.same(run.items, [])
  t.equal(new URL(server.requests[before].url, 'http://x').searchParams.get('modified_since'), LATEST)
})

t.test('ids are stable across runs', async (t) => {
  t.same(
    (await pull()).objects.map((o) => o.id),
    (await pull()).objects.map((o) => o.id),
  )
})

t.test('pages newest first: a single checkpoint, after the last page', async (t) => {
  const run = await pull('/desc')
  t.same(run.checkpoints, [LATEST])
  t.equal(run.items.at(-1)?.kind, 'checkpoint')
})

t.test('a "next" link to another host is refused (the API key stays home)', async (t) => {
  await t.rejects(pull('/evil'), { name: 'SourceDataError', message: /outside the configured baseUrl/ })
})

t.test('a wrong API key → SourceDataError (HTTP 403)', async (t) => {
  const source = await createFeedSource(definition, { ...config(), apiKey: 'wrong' })
  const failure = await collectRun(source, firstRun(signal())).catch((err: Error) => err)
  t.match(failure, { name: 'SourceDataError', retryable: false, message: /HTTP 403 .*refused the credentials/ })
  t.notMatch((failure as Error).message, /wrong/, 'the key is not in the message')
})

const failures: Array<[string, string, RegExp, boolean]> = [
  ['HTTP 500', '/broken', /HTTP 500/, true],
  ['a server that never answers', '/hang', /within 200 ms/, true],
  ['invalid JSON', '/bad-json', /not valid JSON/, false],
  ['a truncated page', '/truncated', /cut short/, false],
]
for (const [what, prefix, message, retryable] of failures) {
  t.test(`${what} → ${retryable ? 'SourceUnavailableError' : 'SourceDataError'}`, async (t) => {
    const extra = prefix === '/hang' ? { timeoutMs: 200 } : {}
    await t.rejects(pull(prefix, null, extra), {
      name: retryable ? 'SourceUnavailableError' : 'SourceDataError',
      retryable,
      message,
    })
  })
}
