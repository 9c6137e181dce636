import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import {
  buildIndicator,
  defineFeedSource,
  deterministicId,
  SourceUnavailableError,
  Type,
  type FeedItem,
} from '../../core/plugin-api/index.js'
import { builtinPlugins } from '../../plugins/index.js'
import { buildTestApp, ROOT } from '../helper.js'
import { createOrgWithUsers, FEED_FIXTURES, PLUGINS_FILE } from './feed-helper.js'
import { feedRunner, TLP } from './run-helper.js'

const indicator = (n: string) =>
  buildIndicator({
    id: deterministicId('indicator', 'outcomes', n),
    created: '2024-03-01T10:00:00.000Z',
    validFrom: '2024-03-01T10:00:00Z',
    name: `indicator ${n}`,
    pattern: `[domain-name:value = '${n}.example.com']`,
  })

/**
 * A source that fails its first attempt after a checkpoint and two more objects; the retry resumes from the
 * checkpoint, fetches those two again, one more object and an item it cannot use.
 */
let attempts = 0
const flaky = defineFeedSource({
  id: 'flaky',
  apiVersion: 1,
  version: '1.0.0',
  description: 'test: fails once mid-run',
  configSchema: Type.Object({
    single: Type.Optional(Type.String({ description: 'yield this one unmarked object and stop' })),
  }),
  create: ({ config }) => ({
    async *pull(run): AsyncGenerator<FeedItem> {
      if (config.single) return yield { kind: 'object', object: indicator(config.single) }
      if (!run.checkpoint) {
        for (const n of ['a', 'b', 'c']) yield { kind: 'object', object: indicator(n) }
        yield { kind: 'checkpoint', checkpoint: 'after-c' }
      }
      for (const n of ['d', 'e']) yield { kind: 'object', object: indicator(n) }
      if (++attempts === 1) throw new SourceUnavailableError('the remote went away')
      yield { kind: 'object', object: indicator('f') }
      yield { kind: 'rejected', ref: 'item 7', reason: 'not an indicator' }
    },
  }),
})

const plugins = JSON.parse(readFileSync(PLUGINS_FILE, 'utf8'))
plugins.plugins = plugins.plugins.map((p: { from: string }) => ({
  from: `./${path.relative(ROOT, path.join(FEED_FIXTURES, p.from))}`,
}))
// Batches of one object: the objects after the checkpoint are committed before the failure.
const { app, knex } = await buildTestApp(t, {
  plugins,
  builtins: [...builtinPlugins, flaky],
  env: { CRISP_FEED_BATCH_SIZE: '1', CRISP_FEED_RETRY_DELAY: '1' },
})
const org = await createOrgWithUsers(knex)
const feeds = feedRunner(app, knex, org)

t.test(
  'a retried run counts each item once; each attempt keeps its own counters; rejections make it partial',
  async (t) => {
    const run = await feeds.run(await feeds.makeFeed('flaky', {}))
    t.equal(run.status, 'partial', 'finished, but an item was rejected')
    t.equal(run.error, null)
    t.equal(run.attempts, 2)
    t.same(
      run.attemptCounts,
      [
        { attempt: 1, fetched: 5, new: 5, newVersions: 0, unchanged: 0, rejected: 0 },
        { attempt: 2, fetched: 4, new: 1, newVersions: 0, unchanged: 2, rejected: 1 },
      ],
      'what each attempt fetched and stored',
    )
    t.same(
      run.counts,
      { fetched: 7, new: 6, newVersions: 0, unchanged: 0, rejected: 1 },
      'the source held 7 items: each counted once, not 9; the run stored six new objects',
    )
    t.match(run.rejections, [{ ref: 'item 7', reason: 'not an indicator' }])
    t.equal(Number((await knex('stix_objects').count({ n: '*' }))[0].n), 6, 'six objects stored')
  },
)

t.test("default TLP: amber unless the feed says otherwise; 'none' stores objects unmarked", async (t) => {
  const marked = await feeds.run(await feeds.makeFeed('flaky', { single: 'marked' }))
  t.equal(marked.status, 'succeeded', 'nothing rejected: succeeded')
  const stored = async (n: string) =>
    (
      await knex('stix_objects')
        .where({ stix_id: indicator(n).id })
        .select('document')
    ).map((r) => r.document.object_marking_refs ?? [])
  t.same(await stored('marked'), [[TLP.amber]], 'the helper creates feeds with amber')

  const headers = { authorization: `Test ${Buffer.from(JSON.stringify(org.publisher)).toString('base64url')}` }
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers,
    payload: { name: 'defaulted', source: 'flaky', config: { single: 'defaulted' }, collectionId: org.collectionId },
  })
  t.equal(created.json().defaultTlp, 'amber', 'a feed created without defaultTlp gets amber, and says so')
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${created.json().id}`,
    headers,
    payload: { defaultTlp: 'none' },
  })
  t.equal(patched.json().defaultTlp, 'none')
  const renamed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${created.json().id}`,
    headers,
    payload: { name: 'renamed' },
  })
  t.equal(renamed.json().defaultTlp, 'none', 'a PATCH without defaultTlp keeps it')

  const other = await feeds.newCollection()
  const none = await feeds.run(await feeds.makeFeed('flaky', { single: 'unmarked' }, other, 'none'))
  t.equal(none.status, 'succeeded')
  t.same(await stored('unmarked'), [[]], "with 'none' the object is stored without a TLP marking")

  const doc = (await app.inject({ url: '/docs/json' })).json()
  const body = doc.paths['/api/v1/feeds'].post.requestBody.content['application/json'].schema.properties.defaultTlp
  t.equal(body.default, 'amber', 'the OpenAPI document shows the default')
  t.ok(
    body.anyOf.some((s: { const?: string; enum?: string[] }) => s.const === 'none' || s.enum?.includes('none')),
    "and 'none'",
  )
})
