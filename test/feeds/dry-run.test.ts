import { readFile } from 'node:fs/promises'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { authAs, buildFeedsApp, createOrgWithUsers, pluginFixture } from './feed-helper.js'

const indicator = (n: number, pattern: string) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--0b6f4f3c-6a8e-4d2a-9c1e-00000000000${n}`,
  created: '2024-03-01T10:00:00.000Z',
  modified: '2024-03-01T10:00:00.000Z',
  pattern,
  pattern_type: 'stix',
  valid_from: '2024-03-01T10:00:00Z',
})
const MIXED = JSON.stringify({
  type: 'bundle',
  id: 'bundle--0b6f4f3c-6a8e-4d2a-9c1e-000000000000',
  objects: [
    indicator(1, "[ipv4-addr:value = '198.51.100.1']"),
    indicator(2, "[ipv4-addr:value = '198.51.100.2'"),
    'not an object',
    indicator(3, "[domain-name:value = 'a.example']"),
  ],
})
const server = await startFixtureServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (path === '/mixed.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(MIXED)
  if (path === '/401') return void res.writeHead(401).end('no')
  if (path === '/hang') return // never answers
  const body = await readFile(pluginFixture('feed-stix-bundle', path.slice(1))).catch(() => null)
  if (body === null) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end(body)
})
t.teardown(() => server.close())

const { app, knex } = await buildFeedsApp(t)
const org = await createOrgWithUsers(knex)
const dryRun = (payload: Record<string, unknown>, who = org.publisher) =>
  app.inject({ method: 'POST', url: '/api/v1/feeds/test', headers: authAs(who), payload })
const rows = async () =>
  Object.fromEntries(
    await Promise.all(
      ['feeds', 'feed_runs', 'stix_objects', 'collection_objects', 'audit_log'].map(async (table) => [
        table,
        Number((await knex(table).count({ n: '*' }))[0].n),
      ]),
    ),
  )

t.test('a dry run reads the first objects and says which the store would take; it writes nothing', async (t) => {
  const before = await rows()
  const res = await dryRun({ source: 'stix-bundle', config: { url: `${server.origin}/mixed.json` } })
  t.equal(res.statusCode, 200, res.body)
  const report = res.json()
  t.match(report, {
    outcome: 'ok',
    error: null,
    complete: true,
    counts: { objects: 3, valid: 2, invalid: 1, rejectedBySource: 1 },
    types: { indicator: 3 },
  })
  t.equal(report.sample.length, 3)
  t.match(
    report.rejections,
    [{ ref: indicator(2, '').id, reason: /pattern/ }, { reason: /not a JSON object/ }],
    'why the store and the source would reject items',
  )
  t.same(await rows(), before, 'no feed, run, object, membership or audit row')

  const limited = (
    await dryRun({ source: 'stix-bundle', config: { url: `${server.origin}/bundle.json` }, maxObjects: 2 })
  ).json()
  t.match(limited, { outcome: 'ok', complete: false, counts: { objects: 2 } }, 'stops at maxObjects')

  const invalid = (
    await dryRun({ source: 'stix-bundle', config: { url: `${server.origin}/invalid-mid-stream.json` } })
  ).json()
  t.equal(invalid.outcome, 'data-error', 'a bundle that breaks mid-stream')
  t.ok(invalid.error)
})

t.test('credentials, timeouts and bad configs are reported as a run would report them', async (t) => {
  const refused = (await dryRun({ source: 'stix-bundle', config: { url: `${server.origin}/401` } })).json()
  t.match(refused, { outcome: 'refused', error: /HTTP 401.*refused the credentials/ })

  const slow = (
    await dryRun({ source: 'stix-bundle', config: { url: `${server.origin}/hang` }, timeoutSeconds: 1 })
  ).json()
  t.match(slow, { outcome: 'timeout', error: /within 1 s/ })

  const silent = (
    await dryRun({
      source: 'stix-bundle',
      config: { url: `${server.origin}/hang`, timeoutMs: 300 },
      timeoutSeconds: 10,
    })
  ).json()
  t.match(
    silent,
    {
      outcome: 'unavailable',
      error:
        /no answer from .* within 300 ms \(waiting for the response\); a slow server needs a larger timeoutMs in the feed's config/,
    },
    "the source's own timeout names the setting to change",
  )

  const bad = await dryRun({ source: 'stix-bundle', config: { url: 'ftp://x' } })
  t.equal(bad.statusCode, 400, 'a config the plugin refuses is a 400, as when saving')
  t.match(bad.json().error, { code: 'CRISP_FEED_INVALID' })
  t.equal((await dryRun({ source: 'nope', config: {} })).statusCode, 400)
  t.equal(
    (await dryRun({ source: 'stix-bundle', config: { url: `${server.origin}/bundle.json` } }, org.viewer)).statusCode,
    403,
    'viewers cannot',
  )
})

t.test('the dry run goes through the egress policy of real runs', async (t) => {
  const strict = await buildFeedsApp(t, { CRISP_FEED_ALLOW_PRIVATE: '' })
  const other = await createOrgWithUsers(strict.knex)
  const seen = server.requests.length
  const viaName = await strict.app.inject({
    method: 'POST',
    url: '/api/v1/feeds/test',
    headers: authAs(other.publisher),
    payload: {
      source: 'stix-bundle',
      config: { url: `${server.origin.replace('127.0.0.1', 'localhost')}/bundle.json` },
    },
  })
  t.match(viaName.json(), {
    outcome: 'refused',
    error: /refused by the egress policy: localhost resolves to .*loopback/,
  })
  const literal = await strict.app.inject({
    method: 'POST',
    url: '/api/v1/feeds/test',
    headers: authAs(other.publisher),
    payload: { source: 'stix-bundle', config: { url: `${server.origin}/bundle.json` } },
  })
  t.equal(literal.statusCode, 400, 'a literal refused address is refused before any request, as when saving')
  t.equal(server.requests.length, seen, 'the fixture server received no request')
})

t.test('a config nested thousands of levels deep is a 400 on test and create, never a 500', async (t) => {
  // Written as text: JSON.stringify itself would overflow on the client side.
  const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`
  const post = (url: string, body: string) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...authAs(org.publisher), 'content-type': 'application/json' },
      payload: body,
    })
  const before = await rows()
  const tested = await post('/api/v1/feeds/test', `{"source":"otx","config":{"url":${deep}}}`)
  t.equal(tested.statusCode, 400, tested.body.slice(0, 300))
  const created = await post(
    '/api/v1/feeds',
    `{"name":"deep","source":"otx","collectionId":"${org.collectionId}","config":{"url":${deep}}}`,
  )
  t.equal(created.statusCode, 400, created.body.slice(0, 300))
  t.same(await rows(), before, 'nothing written')
})
