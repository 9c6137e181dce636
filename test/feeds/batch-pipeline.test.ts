/**
 * The feed run's batch pipeline (core/feeds/batch-writer.ts): the next batch is parsed while a batch is still
 * being prepared, yet transactions commit in batch order, and a batch whose preparation fails stops the run
 * with what came before it stored and nothing after it.
 */
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { runFeed, type RunFeedContext } from '../../core/feeds/run-feed.js'
import type { StoreObjects } from '../../core/feeds/store-port.js'
import { storeObjects } from '../../core/store/index.js'
import { authAs, buildFeedsApp, createOrgWithUsers, feedRow, runRow } from './feed-helper.js'

const BATCH = 10
const COUNT = 35 // four batches: 10, 10, 10 and 5

const indicator = (n: number) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${randomUUID()}`,
  created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z',
  name: `pipeline ${n}`,
  pattern: `[ipv4-addr:value = '198.51.100.${n}']`,
  pattern_type: 'stix',
  valid_from: '2026-01-01T00:00:00Z',
})
const objects = Array.from({ length: COUNT }, (_, n) => indicator(n))
const bundle = JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects })

const server = await startFixtureServer(async (_req, res) => {
  res.writeHead(200, { etag: '"v1"', 'content-type': 'application/json' }).end(bundle)
})
t.teardown(() => server.close())

const { app, knex, config } = await buildFeedsApp(t, {}, false)
const org = await createOrgWithUsers(knex)
const headers = authAs(org.publisher)

/** A new feed into a collection of its own, and a queued run of it that no worker picks up. */
async function queuedRun(): Promise<{ feedId: string; runId: string; collectionId: string }> {
  const [{ id: collectionId }] = await knex('collections')
    .insert({ organization_id: org.id, title: `pipeline ${randomUUID()}` })
    .returning('id')
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers,
    payload: { name: `pipeline ${randomUUID()}`, source: 'stix-bundle', config: { url: server.origin }, collectionId },
  })
  if (created.statusCode !== 201) throw new Error(created.body)
  const feedId = created.json().id as string
  const queued = await app.inject({ method: 'POST', url: `/api/v1/feeds/${feedId}/run`, headers })
  if (queued.statusCode !== 202) throw new Error(queued.body)
  return { feedId, runId: queued.json().id as string, collectionId }
}

/** The store, with each batch's preparation (numbered from 1) passed through `around`. */
function storeWith(
  around: (batch: number, prepare: () => ReturnType<StoreObjects['prepare']>) => ReturnType<StoreObjects['prepare']>,
): StoreObjects {
  let batches = 0
  const wrapped = ((opts: Parameters<StoreObjects>[0]) => storeObjects(opts)) as StoreObjects
  wrapped.prepare = (opts) => around(++batches, () => storeObjects.prepare(opts))
  wrapped.write = storeObjects.write
  return wrapped
}

const context = (store: StoreObjects): RunFeedContext => ({
  knex,
  registry: app.registry,
  storeObjects: store,
  secrets: app.feedSecrets,
  feeds: { ...config.feeds, batchSize: BATCH },
  log: app.log,
})

/** Names of the collection's objects in the order they were added (date_added: unique per collection, in commit order). */
async function namesInOrder(collectionId: string): Promise<string[]> {
  const rows = await knex('collection_objects as c')
    .join('stix_objects as s', 's.pk', 'c.object_pk')
    .where('c.collection_id', collectionId)
    .orderBy('c.date_added')
    .select(knex.raw(`s.document->>'name' as name`))
  return rows.map((r: { name: string }) => r.name)
}

t.test('the next batch is read while a batch is prepared; transactions still commit in order', async (t) => {
  const { runId, collectionId } = await queuedRun()
  let secondStarted!: () => void
  const second = new Promise<void>((resolve) => (secondStarted = resolve))
  let overlapped = false
  const store = storeWith(async (batch, prepare) => {
    if (batch === 2) secondStarted()
    if (batch !== 1) return prepare()
    // The first batch's preparation waits for the second to begin: the run must go on reading meanwhile.
    overlapped = await Promise.race([second.then(() => true), new Promise<boolean>((r) => setTimeout(r, 3000, false))])
    return prepare()
  })
  await runFeed(context(store), runId, { retryCount: 0, retryLimit: 4 }, new AbortController().signal)
  t.ok(overlapped, 'batch 2 was being prepared before batch 1 was prepared')
  const run = await runRow(knex, runId)
  t.equal(run.status, 'succeeded', run.error ?? '')
  t.equal(run.new_objects, COUNT)
  t.same(
    await namesInOrder(collectionId),
    objects.map((o) => o.name),
    'every object stored, in the order of the bundle: batch 1 committed before batch 2',
  )
})

t.test('a batch whose preparation fails stops the run: earlier batches stay, later ones are not written', async (t) => {
  const { feedId, runId, collectionId } = await queuedRun()
  const store = storeWith(async (batch, prepare) => {
    if (batch !== 2) return prepare()
    // Fails after the third batch has begun, so a later batch is ready to be written when it does.
    await new Promise((r) => setTimeout(r, 200))
    throw new Error('database went away while preparing batch 2')
  })
  await t.rejects(
    runFeed(context(store), runId, { retryCount: 4, retryLimit: 4 }, new AbortController().signal),
    /batch 2/,
  )
  const run = await runRow(knex, runId)
  t.equal(run.status, 'failed')
  t.match(run.error, /database went away while preparing batch 2/)
  t.same(
    await namesInOrder(collectionId),
    objects.slice(0, BATCH).map((o) => o.name),
    'only batch 1 is stored',
  )
  t.equal((await feedRow(knex, feedId)).checkpoint, null, 'no checkpoint without the objects it covers')
})
