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
import { detectValue } from './detect-value.js'
import { patternString } from '../../core/plugin-api/index.js'
import definition from './index.js'

const fixtures = join(import.meta.dirname, 'fixtures')
const LAST_MODIFIED = 'Tue, 05 Mar 2024 10:05:01 GMT'

const server = await startFixtureServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (path === '/unauthorized') return void res.writeHead(403).end()
  if (path === '/broken') return void res.writeHead(500).end()
  if (path === '/busy') return void res.writeHead(429).end()
  if (path === '/hang') return
  if (path === '/truncated') return sendTruncated(res, '198.51.100.1\n198.51.100.2\n', 10_000)
  if (req.headers['if-modified-since'] === LAST_MODIFIED) return void res.writeHead(304).end()
  const body = await readFile(join(fixtures, path.slice(1))).catch(() => null)
  if (body === null) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/plain', 'last-modified': LAST_MODIFIED })
  res.end(body)
})
t.teardown(() => server.close())

const signal = () => new AbortController().signal
const pull = async (config: Record<string, unknown>, checkpoint: string | null = null) =>
  collectRun(await createFeedSource(definition, config), firstRun(signal(), checkpoint))
const byType = (objects: StixObject[], type: string) => objects.filter((o) => o.type === type)

t.test('contract', (t) =>
  runFeedSourceContract(t, {
    definition,
    validConfig: { url: `${server.origin}/feodo-ipblocklist.txt` },
    invalidConfig: { url: `${server.origin}/x.txt`, confidence: 101, delimiter: ';;' },
    fixture: server,
  }),
)

t.test('detectValue', async (t) => {
  const cases: Array<[string, string | null, string?]> = [
    ['1.2.3.4', 'ipv4-addr'],
    ['10.0.0.0/8', 'ipv4-addr'],
    ['10.0.0.0/33', null],
    ['2001:DB8::1', 'ipv6-addr', '2001:db8::1'],
    ['2001:db8::/32', 'ipv6-addr'],
    ['Evil.Example.', 'domain-name', 'evil.example'],
    ['http://x.example/a?b=c', 'url'],
    ['hxxps://bad[.]example/', 'url', 'https://bad.example/'],
    ['44D88612FEA8A8F36DE82E1278ABB02F', 'md5', '44d88612fea8a8f36de82e1278abb02f'],
    ['3395856ce81f2b7382dee72602f798b642f14140', 'sha1'],
    ['275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', 'sha256'],
    ['a@b.example', 'email-addr'],
    ['999.1.1.1', null],
    ['two words', null],
    ['abc123', null],
  ]
  for (const [raw, kind, value] of cases) {
    const detected = detectValue(raw)
    t.equal(detected?.kind ?? null, kind, raw)
    if (value) t.equal(detected?.value, value, `${raw} normalised`)
  }
})

t.test('patternString escapes quotes and backslashes', async (t) => {
  const literal = patternString("a'b\\c")
  t.equal(literal, "'a\\'b\\\\c'")
  t.doesNotThrow(() => parsePattern(`[file:name = ${literal}]`))
})

t.test('plain list (Feodo Tracker): one indicator and one observable per distinct value', async (t) => {
  const run = await pull({ url: `${server.origin}/feodo-ipblocklist.txt`, labels: ['botnet-c2'], confidence: 80 })
  const indicators = byType(run.objects, 'indicator')
  t.same(
    indicators.map((i) => i.pattern),
    [
      "[ipv4-addr:value = '103.43.75.120']",
      "[ipv4-addr:value = '162.243.103.246']",
      "[ipv4-addr:value = '50.16.200.0/24']",
      "[ipv4-addr:value = '51.161.81.190']",
      "[ipv6-addr:value = '2001:db8:85a3::8a2e:370:7334']",
    ],
    'comments and blank lines skipped, the repeated address yielded once',
  )
  t.match(indicators[0], {
    labels: ['botnet-c2'],
    confidence: 80,
    indicator_types: ['malicious-activity'],
    valid_from: '2024-03-05T10:05:01.000Z',
    name: '103.43.75.120',
  })
  t.equal(byType(run.objects, 'ipv4-addr').length, 4)
  t.same(run.rejected, [])
  t.same(JSON.parse(run.checkpoints[0]), { lastModified: LAST_MODIFIED })
  assertValidStix(t, run.objects)
})

t.test('ids are deterministic: a re-run yields the same ids', async (t) => {
  const config = { url: `${server.origin}/feodo-ipblocklist.txt` }
  const ids = async () => (await pull(config)).objects.map((o) => o.id)
  t.same(await ids(), await ids())
})

t.test('re-run with the checkpoint: 304, nothing yielded', async (t) => {
  const run = await pull(
    { url: `${server.origin}/feodo-ipblocklist.txt` },
    JSON.stringify({ lastModified: LAST_MODIFIED }),
  )
  t.same(run.items, [])
})

t.test('every detected kind becomes a parseable pattern; bad lines are rejected with their number', async (t) => {
  const run = await pull({ url: `${server.origin}/mixed-values.txt`, validForDays: 30, name: '{type} {value}' })
  const patterns = byType(run.objects, 'indicator').map((i) => i.pattern as string)
  t.equal(patterns.length, 11)
  for (const pattern of patterns) t.doesNotThrow(() => parsePattern(pattern), pattern)
  t.ok(
    patterns.includes("[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']"),
  )
  t.ok(patterns.includes("[email-addr:value = 'phisher@evil-domain.example']"))
  t.ok(patterns.includes("[url:value = 'http://defanged.example/login']"), 'refanged')
  t.same(
    byType(run.objects, 'file').map((f) => Object.keys(f.hashes as object)),
    [['MD5'], ['SHA-1'], ['SHA-256']],
  )
  t.same(
    run.rejected.map((r) => r.ref),
    ['line 13', 'line 14'],
  )
  t.match(run.rejected[0].reason, /line 13: "this is not an indicator" is not an IP address/)
  const indicator = byType(run.objects, 'indicator')[0]
  t.equal(indicator.name, 'ipv4-addr 198.51.100.23')
  t.equal(indicator.valid_until, '2024-04-04T10:05:01.000Z')
  assertValidStix(t, run.objects)
})

t.test('URLhaus CSV: column by name from the "# id,dateadded,url,…" comment, date from dateadded', async (t) => {
  const run = await pull({
    url: `${server.origin}/urlhaus-recent.csv`,
    column: 'url',
    dateColumn: 'dateadded',
    name: 'URLhaus {threat}: {value}',
  })
  const indicators = byType(run.objects, 'indicator')
  t.equal(indicators.length, 5)
  t.match(indicators[0], {
    pattern: "[url:value = 'http://115.55.187.1:36553/i']",
    valid_from: '2024-03-05T10:11:06.000Z',
    name: 'URLhaus malware_download: http://115.55.187.1:36553/i',
  })
  const escaped = indicators.find((i) => (i.pattern as string).includes('reilly'))
  t.equal(
    escaped?.pattern,
    "[url:value = 'http://update.o\\'reilly-cdn.example/dl?x=1&path=C:%5Ctemp']",
    'quote escaped, backslash percent-encoded',
  )
  t.doesNotThrow(() => parsePattern(escaped?.pattern as string))
  t.equal(indicators[4].pattern, "[url:value = 'http://45.95.147.229/x86_64']", 'record with a quoted newline')
  t.same(
    run.rejected.map((r) => r.ref),
    ['line 14'],
  )
  assertValidStix(t, run.objects)
})

t.test('Feodo CSV with a header line, column by index or name', async (t) => {
  const byName = await pull({
    url: `${server.origin}/feodo-ipblocklist.csv`,
    column: 'dst_ip',
    hasHeader: true,
    dateColumn: 'first_seen_utc',
  })
  const byIndex = await pull({ url: `${server.origin}/feodo-ipblocklist.csv`, column: 1, hasHeader: true })
  t.equal(byType(byName.objects, 'indicator').length, 3)
  t.same(
    byName.objects.map((o) => o.id),
    byIndex.objects.map((o) => o.id),
  )
  t.equal(byType(byName.objects, 'indicator')[0].valid_from, '2021-03-16T19:39:44.000Z')
})

t.test('a column name the header does not have → SourceDataError', async (t) => {
  await t.rejects(pull({ url: `${server.origin}/feodo-ipblocklist.csv`, column: 'ip', hasHeader: true }), {
    name: 'SourceDataError',
    message: /column "ip" not found: the header has first_seen_utc, dst_ip/,
  })
})

const failures: Array<[string, string, RegExp, boolean]> = [
  ['HTTP 403', '/unauthorized', /HTTP 403 .*refused the credentials/, false],
  ['HTTP 500', '/broken', /HTTP 500/, true],
  ['HTTP 429', '/busy', /HTTP 429/, true],
  ['a truncated body', '/truncated', /cut short/, false],
  ['a server that never answers', '/hang', /within 200 ms/, true],
]
// Only the server that never answers gets a short timeout: elsewhere a generous one, so a loaded machine
// cannot turn a refusal or a truncation into a timeout (the truncating server closes the socket itself).
const timeoutFor = (path: string) => (path === '/hang' ? 200 : 30_000)
for (const [what, path, message, retryable] of failures) {
  t.test(`${what} → ${retryable ? 'retryable' : 'not retryable'}, no checkpoint`, async (t) => {
    const kinds: string[] = []
    const pulling = (async () => {
      const source = await createFeedSource(definition, { url: `${server.origin}${path}`, timeoutMs: timeoutFor(path) })
      for await (const item of source.pull(firstRun(signal()))) kinds.push(item.kind)
    })()
    await t.rejects(pulling, { name: retryable ? 'SourceUnavailableError' : 'SourceDataError', retryable, message })
    t.notOk(kinds.includes('checkpoint'))
  })
}
