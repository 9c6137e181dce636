import { copyFile, readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { formatProgress } from '../../core/cli/progress.js'
import type { FeedRunDto } from '../../core/feeds/feed-dto.js'
import { authAs, buildFeedsApp, createOrgWithUsers, pluginFixture, runRow } from './feed-helper.js'
import { feedRunner } from './run-helper.js'

// A run shows its progress against a total when the source knows it (issue 16): a bundle file is counted
// before it is parsed; a download is not, so its run has no total.
const bundle = await readFile(pluginFixture('feed-stix-bundle', 'bundle.json'))
const entries = (JSON.parse(bundle.toString()) as { objects: unknown[] }).objects.length
const server = await startFixtureServer(
  async (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(bundle),
)
t.teardown(() => server.close())

const filesDir = t.testdir({})
await copyFile(pluginFixture('feed-stix-bundle', 'bundle.json'), path.join(filesDir, 'bundle.json'))
await copyFile(pluginFixture('feed-stix-bundle', 'bad-entries.json'), path.join(filesDir, 'bad-entries.json'))
const { app, knex } = await buildFeedsApp(t, { CRISP_FEED_FILES_DIR: filesDir })
const org = await createOrgWithUsers(knex)
// local-file feeds are set up by platform admins only
const admin = feedRunner(app, knex, { ...org, publisher: org.admin })

t.test('a stix-bundle file: the run reports total = the number of objects, and 100 % at the end', async (t) => {
  const feedId = await admin.makeFeed('stix-bundle', { path: 'bundle.json' })
  const run = await admin.run(feedId)
  t.equal(run.status, 'succeeded', run.error ?? 'succeeded')
  t.equal(entries, 5, 'the fixture holds five objects')
  t.equal(run.total, entries)
  t.equal(run.counts.fetched, entries)
  t.equal(run.percent, 100)
  t.equal((await runRow(knex, run.id)).total, entries, 'stored on the run')
  t.match(
    formatProgress(run as FeedRunDto),
    new RegExp(`^succeeded +${entries}/${entries} \\(100%\\) objects`),
    'the CLI progress line shows it',
  )
})

t.test('rejected entries count towards the total like fetched counts them', async (t) => {
  const feedId = await admin.makeFeed('stix-bundle', { path: 'bad-entries.json' })
  const run = await admin.run(feedId)
  t.equal(run.status, 'partial')
  t.ok(run.counts.rejected > 0)
  t.equal(run.total, run.counts.fetched)
  t.equal(run.percent, 100)
})

t.test('a source that cannot know (a downloaded bundle) leaves total and percent null', async (t) => {
  const feedId = await admin.makeFeed('stix-bundle', { url: `${server.origin}/bundle.json` })
  const run = await admin.run(feedId)
  t.equal(run.status, 'succeeded', run.error ?? 'succeeded')
  t.equal(run.counts.fetched, entries)
  t.equal(run.total, null)
  t.equal(run.percent, null)
  t.notMatch(formatProgress(run as FeedRunDto), /%\)/, 'no percentage in the CLI line')
})

t.test('percent is derived from the stored total while a run is in progress', async (t) => {
  const feedId = await admin.makeFeed('stix-bundle', { path: 'bundle.json' })
  const [row] = await knex('feed_runs')
    .insert({ feed_id: feedId, status: 'running', trigger: 'manual', started_at: knex.fn.now(), fetched: 3, total: 8 })
    .returning('id')
  const res = await app.inject({ url: `/api/v1/feeds/${feedId}/runs`, headers: authAs(org.admin) })
  t.equal(res.statusCode, 200)
  const listed = (res.json().items as Record<string, unknown>[]).find((r) => r.id === row.id)
  t.match(listed, { status: 'running', total: 8, percent: 37, counts: { fetched: 3 } })
})
