/**
 * Issue 13: CRISP_FEED_ALLOW_PRIVATE admits a configured local server and nothing else, not even through a
 * redirect; a run's rejections are short one-line excerpts that only the feed's organization sees.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { authAs, buildFeedsApp, createOrgWithUsers } from './feed-helper.js'
import { feedRunner } from './run-helper.js'

// A loopback address outside the allow-list: it must never receive a request.
const trapRequests: string[] = []
const trap = createServer((req, res) => (trapRequests.push(req.url ?? ''), res.end('198.51.100.66\n')))
await new Promise<void>((resolve) => trap.listen(0, '127.0.0.2', resolve))
const trapOrigin = `http://127.0.0.2:${(trap.address() as AddressInfo).port}`
t.teardown(() => new Promise((resolve) => trap.close(resolve)))

const server = await startFixtureServer((req, res) => {
  switch (req.url) {
    case '/list.txt':
      return void res.end('198.51.100.7\n198.51.100.8\n')
    case '/redirect':
      return void res.writeHead(302, { location: `${trapOrigin}/list.txt` }).end()
    case '/hostile.txt':
      return void res.end(`198.51.100.9\n${'A'.repeat(3000)}\nevil\u202Etxt.exe\u001b[2J\u2028next\n`)
    default:
      return void res.writeHead(404).end()
  }
})
t.teardown(() => server.close())

const { app, knex } = await buildFeedsApp(t, { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' })
const org = await createOrgWithUsers(knex)
const otherOrg = await createOrgWithUsers(knex)
const feeds = feedRunner(app, knex, org)

t.test('the allow-list admits the configured local test server', async (t) => {
  const run = await feeds.run(await feeds.makeFeed('csv', { url: `${server.origin}/list.txt` }))
  t.match(run, { status: 'succeeded', counts: { new: 4, rejected: 0 } })
})

t.test(
  'a loopback address outside the allow-list is refused: literal when saved, behind a redirect when run',
  async (t) => {
    const literal = await app.inject({
      method: 'POST',
      url: '/api/v1/feeds',
      headers: authAs(org.publisher),
      payload: {
        name: 'trap',
        source: 'csv',
        config: { url: `${trapOrigin}/list.txt` },
        collectionId: org.collectionId,
      },
    })
    t.equal(literal.statusCode, 400)
    t.match(literal.json().error.details.problems, [
      { path: '/config/url', message: /127\.0\.0\.2 is a loopback address/ },
    ])

    const run = await feeds.run(await feeds.makeFeed('csv', { url: `${server.origin}/redirect` }))
    t.equal(run.status, 'failed')
    t.match(
      run.error,
      /^refused by the egress policy: redirect to http:\/\/127\.0\.0\.2:\d+\/list\.txt: 127\.0\.0\.2 is a loopback address/,
    )
    t.equal(run.attempts, 1, 'not retried')
    t.same(trapRequests, [], 'the redirect target received nothing')
  },
)

t.test("rejections: a short one-line excerpt, shown only to the feed's organization", async (t) => {
  const feedId = await feeds.makeFeed('csv', { url: `${server.origin}/hostile.txt` })
  const run = await feeds.run(feedId)
  t.match(run, { status: 'partial', counts: { new: 2, rejected: 2 } })
  t.equal(run.rejections.length, 2)
  for (const { reason } of run.rejections as { reason: string }[]) {
    t.ok([...reason].length <= 160, `short (${[...reason].length} characters)`)
    t.notMatch(
      reason,
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/,
      'one line, no control or bidi characters',
    )
  }
  t.match(run.rejections[0].reason, /^line 2: "AAAA/)

  const asAdminElsewhere = await app.inject({ url: `/api/v1/feeds/${feedId}/runs`, headers: authAs(otherOrg.admin) })
  t.equal(asAdminElsewhere.statusCode, 200)
  t.match(
    asAdminElsewhere.json().items[0],
    { id: run.id, counts: { rejected: 2 }, rejections: [] },
    'another organization sees the count only',
  )
})
