import t from 'tap'
import { loginAs } from '../helper.js'
import { basic, buildTaxiiApp, createCollection, envelope, indicator, orgWithUsers, TAXII, trust } from './fixtures.js'

t.test('discovery, api root, authentication, media types, error format', async (t) => {
  const { app } = await buildTaxiiApp(t)
  const a = await orgWithUsers(app, 'Org A')
  const auth = basic(a.viewer)

  const discovery = await app.inject({ url: '/taxii2/', headers: { accept: TAXII } })
  t.equal(discovery.statusCode, 200, 'discovery is public')
  t.equal(discovery.headers['content-type'], TAXII, 'exact TAXII content type')
  t.same(discovery.json().api_roots, ['https://crisp.example.test/taxii2/api/'], 'absolute api_roots from PUBLIC_URL')
  t.equal(discovery.json().default, 'https://crisp.example.test/taxii2/api/')

  const anonymous = await app.inject({ url: '/taxii2/api/', headers: { accept: TAXII } })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['www-authenticate'], 'Basic realm="CRISP TAXII"')
  t.same(anonymous.json(), {
    title: 'Unauthorized',
    description: 'Authentication required',
    error_code: 'CRISP_AUTH_REQUIRED',
    http_status: '401',
  })
  const wrong = await app.inject({
    url: '/taxii2/api/',
    headers: { accept: TAXII, authorization: basic({ email: a.viewer.email, password: 'nope-nope-nope' }) },
  })
  t.equal(wrong.statusCode, 401, 'wrong password')
  t.equal(wrong.json().http_status, '401')

  const root = await app.inject({ url: '/taxii2/api/', headers: { accept: TAXII, authorization: auth } })
  t.equal(root.statusCode, 200, 'HTTP Basic with email and password')
  t.ok(root.json().versions.includes(TAXII))
  t.type(root.json().max_content_length, 'number')
  const bearer = await app.inject({
    url: '/taxii2/api/',
    headers: { accept: TAXII, authorization: `Bearer ${await loginAs(app, a.viewer)}` },
  })
  t.equal(bearer.statusCode, 200, 'Bearer token')

  for (const accept of [
    'application/taxii+json',
    'application/taxii+json;version=2.1',
    'application/taxii+json; version=2.1',
    '*/*',
  ]) {
    t.equal(
      (await app.inject({ url: '/taxii2/api/', headers: { accept, authorization: auth } })).statusCode,
      200,
      `Accept: ${accept}`,
    )
  }
  for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/html']) {
    const res = await app.inject({ url: '/taxii2/api/', headers: { accept, authorization: auth } })
    t.equal(res.statusCode, 406, `Accept: ${accept}`)
    t.equal(res.headers['content-type'], TAXII)
    t.equal(res.json().http_status, '406')
  }
  const missing = await app.inject({ url: '/taxii2/api/nothing/', headers: { accept: TAXII, authorization: auth } })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().title, 'Not Found')
})

t.test('collections: visibility, can_read/can_write, 404 for invisible, 403 for writes', async (t) => {
  const { app } = await buildTaxiiApp(t)
  const a = await orgWithUsers(app, 'Owner')
  const b = await orgWithUsers(app, 'Trusted')
  const c = await orgWithUsers(app, 'Stranger')
  await trust(app.knex, a.orgId, b.orgId, 'High trust')
  const priv = await createCollection(app.knex, a.orgId, 'private', 'Private')
  const trusted = await createCollection(app.knex, a.orgId, 'trusted', 'Trusted')
  const pub = await createCollection(app.knex, a.orgId, 'public', 'Public')
  const list = async (user: typeof a.viewer) =>
    (
      (
        await app.inject({ url: '/taxii2/api/collections/', headers: { accept: TAXII, authorization: basic(user) } })
      ).json().collections ?? []
    ).map((x: { title: string }) => x.title)
  t.same(await list(a.viewer), ['Private', 'Trusted', 'Public'])
  t.same(await list(b.viewer), ['Trusted', 'Public'])
  t.same(await list(c.viewer), ['Public'])

  const get = (user: typeof a.viewer, id: string, suffix = '') =>
    app.inject({
      url: `/taxii2/api/collections/${id}/${suffix}`,
      headers: { accept: TAXII, authorization: basic(user) },
    })
  const own = (await get(a.publisher, priv)).json()
  t.match(own, {
    id: priv,
    title: 'Private',
    can_read: true,
    can_write: true,
    media_types: ['application/stix+json;version=2.1'],
  })
  t.match((await get(a.viewer, priv)).json(), { can_read: true, can_write: false })
  t.match((await get(b.publisher, trusted)).json(), { can_read: true, can_write: false })
  for (const [user, id] of [
    [c.viewer, priv],
    [c.viewer, trusted],
    [b.viewer, priv],
  ] as const) {
    for (const suffix of ['', 'objects/', 'manifest/', 'objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/']) {
      t.equal((await get(user, id, suffix)).statusCode, 404, `invisible ${suffix || 'collection'} is 404`)
    }
  }
  t.equal((await get(c.viewer, 'not-a-uuid')).statusCode, 404)

  const post = (user: typeof a.viewer, id: string) =>
    app.inject({
      method: 'POST',
      url: `/taxii2/api/collections/${id}/objects/`,
      headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(user) },
      payload: envelope([indicator()]),
    })
  t.equal((await post(a.viewer, pub)).statusCode, 403, 'viewer cannot write')
  t.equal((await post(c.publisher, pub)).statusCode, 403, 'other organization cannot write to a public collection')
  t.equal((await post(c.publisher, priv)).statusCode, 404, 'nor learn a private one exists')
  t.equal((await post(a.publisher, pub)).statusCode, 202)
  const del = await app.inject({
    method: 'DELETE',
    url: `/taxii2/api/collections/${pub}/objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/`,
    headers: { accept: TAXII, authorization: basic(c.publisher) },
  })
  t.equal(del.statusCode, 403)
})

t.test('POST bodies: 415, 413, 422, 400', async (t) => {
  const { app } = await buildTaxiiApp(t, { CRISP_BODY_LIMIT: '4096' })
  const a = await orgWithUsers(app, 'Owner')
  const id = await createCollection(app.knex, a.orgId)
  const post = (contentType: string, payload: string) =>
    app.inject({
      method: 'POST',
      url: `/taxii2/api/collections/${id}/objects/`,
      headers: { accept: TAXII, 'content-type': contentType, authorization: basic(a.publisher) },
      payload,
    })
  t.equal((await post('application/json', envelope([indicator()]))).statusCode, 415)
  t.equal((await post('application/taxii+json;version=2.0', envelope([indicator()]))).statusCode, 415)
  t.equal((await post('application/taxii+json', envelope([indicator()]))).statusCode, 202, 'without version')
  const big = await post(TAXII, envelope(Array.from({ length: 20 }, () => indicator())))
  t.equal(big.statusCode, 413)
  t.equal(big.json().http_status, '413')
  t.equal(
    (await app.inject({ url: '/taxii2/api/', headers: { accept: TAXII, authorization: basic(a.viewer) } })).json()
      .max_content_length,
    4096,
  )
  t.equal((await post(TAXII, JSON.stringify({ objects: 'nope' }))).statusCode, 422)
  t.equal((await post(TAXII, JSON.stringify([indicator()]))).statusCode, 422)
  const malformed = await post(TAXII, '{"objects": [')
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.headers['content-type'], TAXII)
  for (const q of [
    'limit=0',
    'limit=abc',
    'added_after=yesterday',
    'match[id]=nope',
    'match[version]=newest',
    'match[type]=A B',
    'next=garbage',
  ]) {
    const res = await app.inject({
      url: `/taxii2/api/collections/${id}/objects/?${q}`,
      headers: { accept: TAXII, authorization: basic(a.viewer) },
    })
    t.equal(res.statusCode, 400, q)
  }
})
