import t, { type Test } from 'tap'
import { createOrg, createUser, loginAs } from '../helper.js'
import { buildTaxiiApp, createCollection, indicator } from '../taxii/fixtures.js'

// Hostile URLs and bodies on the REST API: each a 4xx in the API's error shape, never a 500 nor Fastify's own
// body. Before: %00 reached PostgreSQL (500; CSV exports answered Fastify's body), invalid UTF-8 was stored as
// U+FFFD, NUL in a body value failed in the database (500), and over-long path segments got Fastify's 414 body.

const { app, knex } = await buildTaxiiApp(t)
const orgId = await createOrg(knex, 'Org')
const admin = await createUser(app, { orgId, role: 'admin' })
const publisher = await createUser(app, { orgId, role: 'publisher' })
const headers = { authorization: `Bearer ${await loginAs(app, admin)}` }
const publisherHeaders = { authorization: `Bearer ${await loginAs(app, publisher)}` }
const collectionId = await createCollection(knex, orgId)

function isApiError(
  t: Test,
  res: { statusCode: number; headers: Record<string, unknown>; json(): { error?: { code?: string } } },
  status: number,
  code: string,
) {
  t.equal(res.statusCode, status)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.json().error?.code, code)
}

t.test('%00 in any query or path parameter is a 400 in the API error shape', async (t) => {
  const urls = [
    '/api/v1/objects?type=indicator%00',
    '/api/v1/objects?labels=a%00b',
    '/api/v1/objects?q=%00',
    '/api/v1/objects/indicator--%00',
    '/api/v1/audit?action=auth.%00',
    '/api/v1/audit?actor=%00',
    '/api/v1/audit?target=%00',
    '/api/v1/users?email=%00',
    '/api/v1/organizations?name=a%00',
    '/api/v1/exports/csv?labels=%00',
    '/api/v1/exports/stix-bundle?type=indicator&labels=x%00',
    '/api/v1/objects?x%00=1',
  ]
  for (const url of urls) {
    const res = await app.inject({ url, headers })
    t.equal(res.statusCode, 400, `${url}: ${res.body}`)
    t.match(res.headers['content-type'], /^application\/json/, url)
    t.equal(res.json().error?.code, 'CRISP_INVALID_CHARACTER', url)
    t.match(res.json().error?.message, /contains a NUL character/, url)
  }
})

t.test('a body that is not valid UTF-8 is refused, nothing stored', async (t) => {
  const text = JSON.stringify({
    type: 'bundle',
    id: 'bundle--4a5d3b2c-8f0a-4bd8-9e9f-2f4f4a4b4c4d',
    objects: [indicator({ name: 'MARK' })],
  })
  const [before, after] = text.split('MARK')
  const payload = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)])
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: { ...publisherHeaders, 'content-type': 'application/json' },
    payload,
  })
  isApiError(t, res, 400, 'CRISP_INVALID_UTF8')
  t.equal(Number((await knex('stix_objects').count({ n: '*' }).first())?.n), 0)
  const ok = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: { ...publisherHeaders, 'content-type': 'application/json; charset=utf-8' },
    payload: text.replace('MARK', 'Zoë 🦊'),
  })
  t.equal(ok.statusCode, 200, 'valid UTF-8, multi-byte characters included, is accepted')
  t.equal(ok.json().results[0].status, 'new')
})

t.test('a value the database refuses is a 4xx, not a 500', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/collections',
    headers: publisherHeaders,
    payload: { title: 'before\u0000after' },
  })
  t.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`)
  t.ok(res.json().error?.code, 'in the API error shape')
  t.equal(Number((await knex('collections').where('title', 'like', 'before%').count({ n: '*' }).first())?.n), 0)
})

t.test('URLs Fastify refuses before routing answer in the API error shape', async (t) => {
  isApiError(
    t,
    await app.inject({ url: `/api/v1/objects/indicator--${'a'.repeat(5000)}`, headers }),
    414,
    'CRISP_URL_TOO_LONG',
  )
  isApiError(t, await app.inject({ url: '/api/v1/collections/%E0%A4%A', headers }), 400, 'CRISP_BAD_URL')
  // A STIX id up to the longest a valid type allows still routes.
  const longType = `x-${'a'.repeat(240)}`
  const res = await app.inject({ url: `/api/v1/objects/${longType}--4a5d3b2c-8f0a-4bd8-9e9f-2f4f4a4b4c4d`, headers })
  isApiError(t, res, 404, 'CRISP_NOT_FOUND')
})
