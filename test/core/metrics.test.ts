import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { loadConfig } from '../../config/load.js'
import { buildIndicator, defineFeedSource, deterministicId, Type, type FeedItem } from '../../core/plugin-api/index.js'
import { QUEUES } from '../../core/jobs/queues.js'
import { listenMetricsOnly } from '../../core/infra/metrics-listener.js'
import { builtinPlugins } from '../../plugins/index.js'
import { buildTestApp, createOrg, createUser, loginAs, ROOT, testEnv } from '../helper.js'
import { waitForRun } from '../feeds/feed-helper.js'

const SCRAPE_TOKEN = `scrape-${randomUUID()}-${randomUUID()}`
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A feed source of two fixed indicators: the feed run stores them and succeeds. */
const twoIndicators = defineFeedSource({
  id: 'two-indicators',
  apiVersion: 1,
  version: '1.0.0',
  description: 'test: two indicators',
  configSchema: Type.Object({}),
  create: () => ({
    async *pull(): AsyncGenerator<FeedItem> {
      for (const n of ['one', 'two']) {
        yield {
          kind: 'object',
          object: buildIndicator({
            id: deterministicId('indicator', 'metrics', n),
            created: '2024-03-01T10:00:00.000Z',
            validFrom: '2024-03-01T10:00:00Z',
            name: n,
            pattern: `[domain-name:value = '${n}.example.com']`,
          }),
        }
      }
    },
  }),
})

const indicator = (n: number) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${randomUUID()}`,
  created: '2024-01-01T00:00:00.000Z',
  modified: '2024-01-01T00:00:00.000Z',
  name: `metrics ${n}`,
  pattern: `[ipv4-addr:value = '198.51.100.${n}']`,
  pattern_type: 'stix',
  valid_from: '2024-01-01T00:00:00Z',
})

const { app, knex, logs } = await buildTestApp(t, {
  builtins: [...builtinPlugins, twoIndicators],
  env: { CRISP_METRICS_TOKEN: SCRAPE_TOKEN },
})
const producerOrg = await createOrg(knex, 'Producer')
const readerOrg = await createOrg(knex, 'Reader')
const admin = await createUser(app, { orgId: producerOrg, role: 'admin' })
const publisher = await createUser(app, { orgId: producerOrg, role: 'publisher' })
const viewer = await createUser(app, { orgId: readerOrg, role: 'viewer' })
const [adminToken, publisherToken, viewerToken] = [
  await loginAs(app, admin),
  await loginAs(app, publisher),
  await loginAs(app, viewer),
]
const [{ id: collectionId }] = await knex('collections')
  .insert({ organization_id: producerOrg, title: 'metrics', visibility: 'public' })
  .returning('id')

/** Sample lines `name{labels} value` of one family (histograms: their `_count` lines). */
function samples(text: string, family: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = []
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line)
    if (m && (m[1] === family || m[1] === `${family}_count`)) out.push({ labels: m[2] ?? '', value: Number(m[3]) })
  }
  return out
}

async function scrape(headers: Record<string, string> = bearer(SCRAPE_TOKEN)): Promise<string> {
  const res = await app.inject({ url: '/metrics', headers })
  if (res.statusCode !== 200) throw new Error(`/metrics: ${res.statusCode} ${res.body}`)
  return res.body
}

t.test(
  '/metrics: 401 without credentials, 403 for non-admins, 200 for an admin token, an admin API key or the scrape token',
  async (t) => {
    const none = await app.inject({ url: '/metrics' })
    t.equal(none.statusCode, 401)
    t.equal(none.json().error.code, 'CRISP_AUTH_REQUIRED')
    const wrongToken = await app.inject({
      url: '/metrics',
      headers: bearer(SCRAPE_TOKEN.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))),
    })
    t.equal(wrongToken.statusCode, 401, 'a token differing in its last character is refused')
    t.equal((await app.inject({ url: '/metrics', headers: bearer(viewerToken) })).statusCode, 403, 'viewer')
    t.equal((await app.inject({ url: '/metrics', headers: bearer(publisherToken) })).statusCode, 403, 'publisher')

    const ok = await app.inject({ url: '/metrics', headers: bearer(adminToken) })
    t.equal(ok.statusCode, 200, 'platform admin, bearer token')
    t.match(ok.headers['content-type'], /^text\/plain; version=0\.0\.4/)
    t.match(ok.body, /^# HELP crisp_/m)
    const key = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(adminToken),
        payload: { name: 'prometheus' },
      })
    ).json().key as string
    t.equal(
      (await app.inject({ url: '/metrics', headers: bearer(key) })).statusCode,
      200,
      'platform admin, API key as bearer',
    )
    t.equal(
      (await app.inject({ url: '/metrics', headers: { 'x-api-key': key } })).statusCode,
      200,
      'platform admin, X-API-Key',
    )
    t.equal((await app.inject({ url: '/metrics', headers: bearer(SCRAPE_TOKEN) })).statusCode, 200, 'scrape token')
  },
)

t.test('after exercising the platform every family has a non-zero value; routes are labelled by pattern', async (t) => {
  // Ingest through REST and TAXII (the producer's publisher), reads by the producer and by another organization.
  const bundle = { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [indicator(1), indicator(2)] }
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/v1/collections/${collectionId}/bundles`,
        headers: bearer(publisherToken),
        payload: bundle,
      })
    ).statusCode,
    200,
  )
  const taxiiObjects = `/taxii2/api/collections/${collectionId}/objects/`
  const taxii = { accept: 'application/taxii+json;version=2.1', 'content-type': 'application/taxii+json;version=2.1' }
  const added = await app.inject({
    method: 'POST',
    url: taxiiObjects,
    headers: { ...bearer(publisherToken), ...taxii },
    payload: JSON.stringify({ objects: [indicator(3)] }),
  })
  t.equal(added.statusCode, 202, added.body)
  t.equal(
    (await app.inject({ url: taxiiObjects, headers: { ...bearer(viewerToken), ...taxii } })).statusCode,
    200,
    'TAXII read by another organization (anonymized)',
  )
  t.equal((await app.inject({ url: '/api/v1/objects', headers: bearer(publisherToken) })).statusCode, 200, 'REST read')
  const exported = await app.inject({ url: '/api/v1/exports/stix-bundle', headers: bearer(publisherToken) })
  t.equal(exported.statusCode, 200, 'export')
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: viewer.email, password: 'not the password at all' },
      })
    ).statusCode,
    401,
    'failed login',
  )
  const basic = `Basic ${Buffer.from(`${viewer.email}:not the password either`).toString('base64')}`
  t.equal(
    (await app.inject({ url: '/api/v1/users/me', headers: { authorization: basic } })).statusCode,
    401,
    'failed HTTP Basic login',
  )
  const unknownPath = `/no/such/${randomUUID()}`
  t.equal((await app.inject({ url: unknownPath })).statusCode, 404)

  // A feed run that succeeds, through the worker of this process.
  const feed = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: bearer(publisherToken),
    payload: { name: 'metrics feed', source: 'two-indicators', config: {}, collectionId, defaultTlp: 'green' },
  })
  t.equal(feed.statusCode, 201, feed.body)
  const queued = await app.inject({
    method: 'POST',
    url: `/api/v1/feeds/${feed.json().id}/run`,
    headers: bearer(publisherToken),
  })
  t.equal(queued.statusCode, 202, queued.body)
  t.equal((await waitForRun(knex, queued.json().id)).status, 'succeeded')

  // A job left waiting: this process stops working the export queue, then an export job is requested.
  await app.jobs.boss.offWork(QUEUES.exportRun)
  const job = await app.inject({
    method: 'POST',
    url: '/api/v1/exports',
    headers: bearer(publisherToken),
    payload: { format: 'stix-bundle' },
  })
  t.equal(job.statusCode, 202, job.body)

  const text = await scrape()
  const nonZero = (family: string, labels?: RegExp) =>
    samples(text, family).some((s) => s.value > 0 && (!labels || labels.test(s.labels)))
  t.ok(
    nonZero(
      'crisp_http_requests_total',
      /route="\/taxii2\/api\/collections\/:collectionId\/objects\/",method="GET",status="200"/,
    ),
    'HTTP requests by route pattern, method and status',
  )
  t.ok(
    nonZero(
      'crisp_http_request_duration_seconds',
      /route="\/api\/v1\/collections\/:id\/bundles",method="POST",status_class="2xx"/,
    ),
    'latency histogram',
  )
  t.notOk(text.includes(collectionId), 'no concrete URL (collection id) in any label')
  t.ok(nonZero('crisp_objects_ingested_total', /source="rest",result="new"/), 'ingested through REST')
  t.ok(nonZero('crisp_objects_ingested_total', /source="taxii",result="new"/), 'ingested through TAXII')
  t.ok(nonZero('crisp_objects_ingested_total', /source="feed",result="new"/), 'ingested by a feed run')
  t.ok(nonZero('crisp_objects_served_total', /channel="taxii"/), 'served by TAXII')
  t.ok(nonZero('crisp_objects_served_total', /channel="rest"/), 'served by REST')
  t.ok(nonZero('crisp_objects_exported_total', /format="stix-bundle"/), 'exported')
  t.ok(nonZero('crisp_objects_anonymized_total', /level="full"/), 'anonymized for the untrusted reader at level full')
  t.ok(nonZero('crisp_feed_runs_total', /outcome="succeeded"/), 'feed run outcome')
  t.ok(nonZero('crisp_login_failures_total', /via="login",reason="invalid"/), 'failed login')
  t.ok(nonZero('crisp_login_failures_total', /via="basic",reason="invalid"/), 'failed HTTP Basic login')
  t.ok(
    nonZero('crisp_http_requests_total', /route="\(unmatched\)",method="GET",status="404"/),
    'a URL no route matches is counted as (unmatched)',
  )
  t.notOk(text.includes(unknownPath), 'and its URL appears nowhere')
  t.ok(nonZero('crisp_queue_depth', /queue="export.run"/), 'the waiting export job')
  t.ok(nonZero('crisp_queue_oldest_job_age_seconds', /queue="export.run"/), 'its age')
  t.ok(nonZero('crisp_db_pool_connections'), 'database pool')
  t.ok(nonZero('crisp_db_pool_max'), 'database pool size')
  t.ok(nonZero('crisp_process_cpu_seconds_total'), 'default process metrics, prefixed')
  t.equal(samples(text, 'crisp_queue_depth').length, Object.values(QUEUES).length, 'every declared queue reported')

  const servedBefore = samples(text, 'crisp_objects_served_total').find((s) => s.labels.includes('taxii'))?.value ?? 0
  await app.inject({ url: taxiiObjects, headers: { ...bearer(publisherToken), ...taxii } })
  const servedAfter =
    samples(await scrape(), 'crisp_objects_served_total').find((s) => s.labels.includes('taxii'))?.value ?? 0
  t.equal(servedAfter - servedBefore, 5, 'a TAXII page of the five objects (REST, TAXII, feed) counts five')
})

t.test('a worker-only process serves GET /metrics alone on its metrics port, with the same credentials', async (t) => {
  const listener = await listenMetricsOnly(app, { port: 0, host: '127.0.0.1' })
  t.teardown(() => listener.close())
  const base = `http://127.0.0.1:${listener.port}`
  t.equal((await fetch(`${base}/metrics`)).status, 401, 'no credentials')
  t.equal((await fetch(`${base}/metrics`, { headers: bearer(viewerToken) })).status, 403, 'viewer')
  const ok = await fetch(`${base}/metrics`, { headers: bearer(SCRAPE_TOKEN) })
  t.equal(ok.status, 200, 'scrape token')
  t.match(await ok.text(), /^crisp_feed_runs_total\{outcome="succeeded"\} [1-9]/m, "this process's own counters")
  t.equal(
    (await fetch(`${base}/api/v1/objects`, { headers: bearer(SCRAPE_TOKEN) })).status,
    404,
    'nothing else is served there',
  )
})

t.test('the scrape token never reaches the logs', async (t) => {
  await scrape()
  await app.inject({ url: '/metrics', headers: bearer(`${SCRAPE_TOKEN}x`) })
  t.ok(logs.length > 0, 'the app logged requests')
  t.notOk(
    logs.some((line) => line.includes(SCRAPE_TOKEN)),
    'not in any log line',
  )
  const short = 'too-short-scrape-token'
  t.throws(
    () => loadConfig(testEnv({ CRISP_METRICS_TOKEN: short }), ROOT),
    /CRISP_METRICS_TOKEN/,
    'a short token is refused at boot',
  )
  try {
    loadConfig(testEnv({ CRISP_METRICS_TOKEN: short }), ROOT)
  } catch (err) {
    t.notOk((err as Error).message.includes(short), 'and the error does not quote it')
  }
})

t.test('docs/operations.md: the alert rules are valid YAML and name only metrics the platform exposes', async (t) => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8')
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]) as Record<string, unknown>)
  t.ok(
    blocks.some((b) => Array.isArray(b.scrape_configs)),
    'a Prometheus scrape configuration',
  )
  const alerting = blocks.find((b) => Array.isArray(b.groups)) as
    { groups: { rules: { alert: string; expr: string }[] }[] } | undefined
  if (!alerting) return t.fail('no alert rules block')
  const rules = alerting.groups.flatMap((g) => g.rules)
  t.same(rules.map((r) => r.alert).sort(), [
    'CrispFailedLoginBurst',
    'CrispFeedRunsFailing',
    'CrispHttp5xxRate',
    'CrispQueueBacklog',
  ])
  const exposed = await scrape()
  for (const rule of rules) {
    for (const name of rule.expr.match(/crisp_[a-z_]+/g) ?? [])
      t.match(
        exposed,
        new RegExp(`^# TYPE ${name.replace(/_(bucket|count|sum)$/, '')} `, 'm'),
        `${rule.alert}: ${name} exists`,
      )
  }
})
