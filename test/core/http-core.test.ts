import t from 'tap'
import { buildTestApp } from '../helper.js'

const plugins = { plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }], defaults: { 'anonymization-strategy': 'strip-text' } }

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

t.test('OpenAPI 3 document lists every route', async (t) => {
  const { app } = await buildTestApp(t, { plugins })
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc.openapi, /^3\./)
  t.ok(doc.info.title)
  const documented = new Set<string>()
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p}`)
  }
  const routes = app.printRoutes({ commonPrefix: false })
  t.ok(routes.length > 0)
  for (const route of ['GET /healthz', 'GET /readyz', 'GET /api/v1/plugins']) t.ok(documented.has(route), `${route} documented`)
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200, 'Swagger UI served')
})
