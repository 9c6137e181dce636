/**
 * Issue 13: with the default egress policy a publisher's feed reaches no loopback, private, link-local or
 * metadata address, and local files are read only for platform admins, only from CRISP_FEED_FILES_DIR.
 */
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { authAs, buildFeedsApp, createOrgWithUsers, pluginFixture } from './feed-helper.js'
import { feedRunner } from './run-helper.js'

// The platform must never call it: every test ends by checking it received nothing.
const server = await startFixtureServer((_req, res) => void res.end('198.51.100.7\n'))
t.teardown(() => server.close())
const port = new URL(server.origin).port

const filesDir = pluginFixture('feed-stix-bundle', '')
const { app, knex } = await buildFeedsApp(t, { CRISP_FEED_ALLOW_PRIVATE: '', CRISP_FEED_FILES_DIR: filesDir })
const org = await createOrgWithUsers(knex)
const feeds = feedRunner(app, knex, org)

const create = (
  who: typeof org.publisher,
  source: string,
  config: Record<string, unknown>,
  name = `${source} ${Math.random()}`,
) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers: authAs(who),
    payload: { name, source, config, collectionId: org.collectionId },
  })

t.test('a feed to a literal refused address is refused when saved, naming the property and the reason', async (t) => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['csv', { url: `http://127.0.0.1:${port}/list.txt` }, '/config/url', /127\.0\.0\.1 is a loopback address/],
    ['csv', { url: 'http://10.0.0.1/list.txt' }, '/config/url', /10\.0\.0\.1 is a private address/],
    [
      'stix-bundle',
      { url: 'http://169.254.169.254/latest/meta-data/' },
      '/config/url',
      /169\.254\.169\.254 is the cloud metadata address/,
    ],
    ['csv', { url: `http://[::1]:${port}/list.txt` }, '/config/url', /::1 is a loopback address/],
    [
      'csv',
      { url: `http://[::ffff:127.0.0.1]:${port}/list.txt` },
      '/config/url',
      /::ffff:7f00:1 is a loopback address \(in IPv6 form\)/,
    ],
    [
      'taxii21',
      { collectionUrl: 'http://192.168.0.10/api/collections/x/' },
      '/config/collectionUrl',
      /192\.168\.0\.10 is a private address/,
    ],
    ['misp', { url: 'http://[fd00::1]/feed/' }, '/config/url', /fd00::1 is a unique-local address/],
    [
      'otx',
      { apiKey: 'k', baseUrl: 'http://0.0.0.0:8080' },
      '/config/baseUrl',
      /0\.0\.0\.0 is a "this network" address/,
    ],
  ]
  for (const [source, config, path, reason] of cases) {
    const res = await create(org.publisher, source, config)
    t.equal(res.statusCode, 400, `${source} ${JSON.stringify(config)}`)
    t.match(res.json().error, {
      code: 'CRISP_FEED_INVALID',
      details: { problems: [{ path, message: /^refused by the egress policy: / }] },
    })
    t.match(res.json().error.details.problems[0].message, reason)
    t.match(res.json().error.details.problems[0].message, /CRISP_FEED_ALLOW_PRIVATE/, 'says how an admin allows it')
  }
  const created = await create(org.publisher, 'csv', { url: 'https://feeds.example/list.txt' })
  t.equal(created.statusCode, 201, 'a host name is accepted when saved (judged when the run connects)')
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${created.json().id}`,
    headers: authAs(org.publisher),
    payload: { config: { url: 'http://127.1/' } },
  })
  t.equal(patched.statusCode, 400, 'an update is checked the same way')
  t.match(patched.json().error.details.problems, [
    { path: '/config/url', message: /127\.0\.0\.1 is a loopback address/ },
  ])
  t.equal(server.requests.length, 0, 'no request was made')
})

t.test('a host name resolving to loopback is refused when the run connects, not retried', async (t) => {
  const feedId = await feeds.makeFeed('csv', { url: `http://localhost:${port}/list.txt` })
  const run = await feeds.run(feedId)
  t.equal(run.status, 'failed')
  t.match(run.error, /^refused by the egress policy: localhost resolves to (127\.0\.0\.1|::1), a loopback address/)
  t.equal(run.attempts, 1, 'asking again cannot change the answer')
  t.equal(server.requests.length, 0, 'no request reached the server')
})

t.test('local files: refused for a publisher, read for a platform admin from the feed files folder only', async (t) => {
  const byPublisher = await create(org.publisher, 'stix-bundle', { path: 'bundle.json' })
  t.equal(byPublisher.statusCode, 400)
  t.match(byPublisher.json().error.details.problems, [
    { path: '/config', message: /only platform admins may set up feeds that read local files/ },
  ])

  for (const [path, reason] of [
    ['/etc/passwd', /not inside the feed files folder/],
    ['../../../etc/passwd', /"\.\." is not allowed/],
  ] as const) {
    const outside = await create(org.admin, 'stix-bundle', { path })
    t.equal(outside.statusCode, 400, path)
    t.match(outside.json().error.details.problems, [{ path: '/config', message: reason }], path)
  }

  const byAdmin = await create(org.admin, 'stix-bundle', { path: 'bundle.json' }, 'admin file feed')
  t.equal(byAdmin.statusCode, 201, byAdmin.body)
  const run = await feeds.run(byAdmin.json().id)
  t.match(run, { status: 'succeeded', counts: { new: 5 } }, "the admin's feed reads the file")
  const edit = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${byAdmin.json().id}`,
    headers: authAs(org.publisher),
    payload: { name: 'renamed' },
  })
  t.equal(edit.statusCode, 400, "a publisher cannot take over an admin's file feed")
  t.match(edit.json().error.message, /only platform admins/)
})
