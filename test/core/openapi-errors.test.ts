import t from 'tap'
import { buildTestApp } from '../helper.js'

interface Operation {
  responses?: Record<
    string,
    { content?: Record<string, { schema?: { properties?: Record<string, { properties?: Record<string, unknown> }> } }> }
  >
}

/**
 * Public routes without input, so without a client error of their own: the probes of an orchestrator (200 or
 * 503) and the front door's page of links. (A host outside CRISP_ALLOWED_HOSTS gets its 421 before any route.)
 */
const NO_CLIENT_ERRORS = ['GET /healthz', 'GET /readyz', 'GET /']

/** docs/api.md "Errors": every operation documents its 4xx answers, and REST ones in the one error shape. */
t.test('every operation of the OpenAPI document declares its 4xx responses', async (t) => {
  const { app } = await buildTestApp(t, { runWorkers: false })
  const res = await app.inject({ url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const paths: Record<string, Record<string, Operation>> = res.json().paths
  const operations = Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, op })),
  )
  t.ok(operations.filter((o) => o.path.startsWith('/api/v1/')).length > 60, 'the REST API is in the document')
  t.same(
    NO_CLIENT_ERRORS.filter((name) => !operations.some((o) => o.name === name)),
    [],
    'every exemption names a documented operation',
  )
  const missing = operations
    .filter(({ name }) => !NO_CLIENT_ERRORS.includes(name))
    .filter(({ op }) => !Object.keys(op.responses ?? {}).some((code) => /^4\d\d$/.test(code)))
    .map((o) => o.name)
  t.same(missing, [], 'operations without a 4xx response')
  const otherShape = operations
    .filter((o) => o.path.startsWith('/api/v1/'))
    .flatMap(({ name, op }) =>
      Object.entries(op.responses ?? {})
        .filter(([code]) => /^4\d\d$/.test(code))
        .filter(([, r]) => !r.content?.['application/json']?.schema?.properties?.error?.properties?.code)
        .map(([code]) => `${name} ${code}`),
    )
  t.same(otherShape, [], 'REST 4xx responses not in the shared error shape')
})

t.test('the checks can fail: an undocumented route is reported', async (t) => {
  const { app } = await buildTestApp(t, { runWorkers: false })
  t.ok(app.swagger().paths?.['/api/v1/plugins']?.get?.responses?.['403'], 'the plugins route declares its errors')
  t.notOk(
    app.swagger().paths?.['/healthz']?.get?.responses?.['403'],
    'a route without them shows none (so the walk above sees the difference)',
  )
  const refused = await app.inject({ url: '/taxii2/', headers: { accept: 'text/html' } })
  t.match(
    [refused.statusCode, refused.json()],
    [406, { http_status: '406' }],
    'TAXII discovery answers the 406 it declares, in its declared shape',
  )
})
