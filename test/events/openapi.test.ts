import t from 'tap'
import { buildTestApp } from '../helper.js'

t.test('every events and alerts route is in the OpenAPI document with its schemas', async (t) => {
  const { app } = await buildTestApp(t, { runWorkers: false })
  const res = await app.inject({ url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const paths = res.json().paths as Record<
    string,
    Record<
      string,
      { parameters?: unknown[]; requestBody?: unknown; responses: Record<string, unknown>; tags: string[] }
    >
  >
  const expected: [string, string][] = [
    ['/api/v1/events', 'post'],
    ['/api/v1/events', 'get'],
    ['/api/v1/events/{id}', 'get'],
    ['/api/v1/events/ingest-keys', 'post'],
    ['/api/v1/alerts', 'get'],
    ['/api/v1/alerts/{id}', 'get'],
    ['/api/v1/alerts/{id}', 'patch'],
    ['/api/v1/alert-settings', 'get'],
    ['/api/v1/alert-settings', 'patch'],
    ['/api/v1/alert-settings/webhook', 'put'],
    ['/api/v1/alert-settings/webhook/deliveries', 'get'],
  ]
  for (const [path, method] of expected) {
    const op = paths[path]?.[method]
    t.ok(op, `${method.toUpperCase()} ${path} documented`)
    t.ok(op?.responses['200'] ?? op?.responses['201'], `${method.toUpperCase()} ${path}: success response schema`)
    t.ok(op?.responses['403'], `${method.toUpperCase()} ${path}: error responses`)
  }
  const list = paths['/api/v1/alerts'].get.parameters as { name: string }[]
  t.same(list.map((p) => p.name).sort(), [
    'from',
    'matched',
    'page',
    'pageSize',
    'severity',
    'sort',
    'source',
    'status',
    'to',
  ])
  t.ok(paths['/api/v1/events'].post.requestBody, 'the ingestion body is described')
})
