import t from 'tap'
import { buildTestApp, createOrg, createUser, loginAs } from '../helper.js'

const plugins = {
  plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }],
  defaults: { 'anonymization-strategy': 'strip-text' },
}

t.test('health, readiness, request ids, security headers, error shape', async (t) => {
  const { app } = await buildTestApp(t, { plugins })
  const health = await app.inject('/healthz')
  t.equal(health.statusCode, 200)
  t.ok(health.headers['x-request-id'], 'request id on every response')
  t.match(health.headers['content-security-policy'], /default-src 'none'/)
  t.equal(health.headers['x-content-type-options'], 'nosniff')
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { database: true, migrations: true, jobs: true })
  const missing = await app.inject('/nope')
  t.equal(missing.statusCode, 404)
  t.same(Object.keys(missing.json()), ['error'])
  t.equal(missing.json().error.code, 'CRISP_ROUTE_NOT_FOUND')
})

t.test('readiness fails when migrations are behind', async (t) => {
  const { app, knex } = await buildTestApp(t, { plugins })
  await knex.migrate.rollback()
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().checks.migrations, false)
})

t.test('authentication is required on the API', async (t) => {
  const { app } = await buildTestApp(t, { plugins })
  const res = await app.inject('/api/v1/plugins')
  t.equal(res.statusCode, 401)
  t.equal(res.json().error.code, 'CRISP_AUTH_REQUIRED')
  t.ok(res.headers['www-authenticate'])
})

/** Every METHOD path Fastify serves, read from its route tree (`:id` written `{id}` as in OpenAPI). */
function servedRoutes(tree: string): string[] {
  const stack: string[] = []
  const out: string[] = []
  for (const line of tree.split('\n')) {
    const m = line.match(/^([\s│├└─]*?)([^\s│├└─].*) \(([A-Z, ]+)\)$/)
    if (!m) continue
    const depth = Math.floor(m[1].length / 4)
    stack.length = depth
    stack[depth] = m[2]
    const path = stack.join('').replace(/:(\w+)/g, '{$1}')
    for (const method of m[3].split(', ')) if (method !== 'HEAD') out.push(`${method} ${path}`)
  }
  return out
}

t.test('OpenAPI 3 document lists every route', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc.openapi, /^3\./)
  t.ok(doc.info.title)
  const documented = new Set<string>()
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p}`)
  }
  const served = servedRoutes(app.printRoutes({ commonPrefix: false })).filter((r) => !r.includes(' /docs'))
  t.ok(served.length > 40, `${served.length} routes served`)
  // A prefix's '/' route is also served without the slash: one document entry covers both.
  for (const route of served) t.ok(documented.has(route) || documented.has(`${route}/`), `${route} documented`)
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200, 'Swagger UI served')
})

t.test('the example third-party plugin loads by path and is listed by GET /api/v1/plugins (admins only)', async (t) => {
  const { app, knex } = await buildTestApp(t, {
    plugins: { plugins: [{ from: './test/fixtures/exporter-ndjson/index.ts' }] },
  })
  const orgId = await createOrg(knex, 'Operators')
  const admin = await loginAs(app, await createUser(app, { orgId, role: 'admin' }))
  const viewer = await loginAs(app, await createUser(app, { orgId, role: 'viewer' }))
  const res = await app.inject({ url: '/api/v1/plugins', headers: { authorization: `Bearer ${admin}` } })
  t.equal(res.statusCode, 200)
  const items = res.json().items as { kind: string; id: string; version: string; description: string; source: string }[]
  t.match(
    items.find((p) => p.id === 'ndjson'),
    { kind: 'exporter', version: '1.0.0', source: './test/fixtures/exporter-ndjson/index.ts' },
  )
  for (const builtin of ['trust-levels', 'password', 'api-key', 'stix-bundle', 'csv'])
    t.ok(
      items.some((p) => p.id === builtin),
      `${builtin} listed`,
    )
  t.ok(
    items.every((p) => p.description.length > 0),
    'every plugin has a description',
  )
  const denied = await app.inject({ url: '/api/v1/plugins', headers: { authorization: `Bearer ${viewer}` } })
  t.equal(denied.statusCode, 403)
})
