import t from 'tap'
import { buildTestApp, createOrg, createUser, loginAs } from '../helper.js'

/** docs/api.md "Paging": the lists that used to answer everything now page like every other list. */
// Feeds point at a closed local port: saved, never run.
const { app, knex } = await buildTestApp(t, { runWorkers: false, env: { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' } })
const orgA = await createOrg(knex, 'Paging A')
const orgB = await createOrg(knex, 'Paging B')
const publisherA = {
  authorization: `Bearer ${await loginAs(app, await createUser(app, { orgId: orgA, role: 'publisher' }))}`,
}
const publisherB = {
  authorization: `Bearer ${await loginAs(app, await createUser(app, { orgId: orgB, role: 'publisher' }))}`,
}

interface Page {
  items: Record<string, unknown>[]
  nextCursor: string | null
}

/** Reads a list to its end with `limit`, returning the pages' sizes and every item in order. */
async function readAll(url: string, headers: Record<string, string>, limit: number) {
  const sizes: number[] = []
  const items: Record<string, unknown>[] = []
  let cursor: string | null = null
  do {
    const res = await app.inject({
      url: `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      headers,
    })
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    const page: Page = res.json()
    sizes.push(page.items.length)
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor && sizes.length < 50)
  return { sizes, items }
}

const post = async (url: string, headers: Record<string, string>, payload: object) => {
  const res = await app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload })
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

t.test('collections: full pages of the visible ones, owner as organizationId', async (t) => {
  const mine: string[] = []
  for (let i = 0; i < 5; i++) {
    mine.push((await post('/collections', publisherA, { title: `A ${i}` })).id)
    await post('/collections', publisherB, { title: `B ${i}`, visibility: 'private' })
  }
  const { sizes, items } = await readAll('/api/v1/collections', publisherA, 2)
  t.same(
    items.map((c) => c.id),
    [...mine].sort(),
    "every collection of A once, in id order, none of B's private ones",
  )
  t.same(sizes, [2, 2, 1], "pages are full although B's collections lie between A's")
  t.ok(
    items.every((c) => c.organizationId === orgA && !('ownerOrgId' in c)),
    'the owner is organizationId',
  )
})

t.test('api keys: newest first, a page at a time', async (t) => {
  const ids: string[] = []
  for (let i = 0; i < 3; i++) ids.push((await post('/api-keys', publisherA, { name: `k${i}` })).apiKey.id)
  const { sizes, items } = await readAll('/api/v1/api-keys', publisherA, 2)
  t.same(
    items.map((k) => k.id),
    [...ids].reverse(),
  )
  t.same(sizes, [2, 1])
})

t.test('feeds in id order, runs newest first (ties broken by id)', async (t) => {
  const collectionId = (await post('/collections', publisherA, { title: 'feeds' })).id
  const feed = (name: string) =>
    post('/feeds', publisherA, { name, source: 'stix-bundle', config: { url: 'http://127.0.0.1:9/x' }, collectionId })
  const [c, a, b] = [await feed('charlie'), await feed('alpha'), await feed('bravo')]
  const feeds = await readAll('/api/v1/feeds', publisherA, 2)
  t.same(
    feeds.items.map((f) => f.id),
    [a.id, b.id, c.id].sort(),
  )
  t.same(feeds.sizes, [2, 1])
  t.same(
    (await readAll('/api/v1/feeds', publisherB, 2)).items,
    [],
    "another organization's publisher sees none of them",
  )

  const at = (s: string) => new Date(`2026-01-01T00:00:0${s}Z`)
  const runs = await knex('feed_runs')
    .insert(
      [at('1'), at('3'), at('2'), at('2')].map((queued_at) => ({
        feed_id: a.id,
        status: 'failed',
        trigger: 'manual',
        queued_at,
      })),
    )
    .returning(['id', 'queued_at'])
  const newestFirst = [...runs]
    .sort((x, y) => y.queued_at.getTime() - x.queued_at.getTime() || (x.id < y.id ? 1 : -1))
    .map((r) => r.id)
  const listed = await readAll(`/api/v1/feeds/${a.id}/runs`, publisherA, 1)
  t.same(
    listed.items.map((r) => r.id),
    newestFirst,
    'every run once, newest first, across equal queue times',
  )

  // A client deleting what it reads: the cursor of a deleted feed still leads to the next one.
  const page1: Page = (await app.inject({ url: '/api/v1/feeds?limit=1', headers: publisherA })).json()
  await app.inject({ method: 'DELETE', url: `/api/v1/feeds/${String(page1.items[0]?.id)}`, headers: publisherA })
  const page2: Page = (
    await app.inject({ url: `/api/v1/feeds?limit=1&cursor=${page1.nextCursor}`, headers: publisherA })
  ).json()
  t.same(
    page2.items.map((f) => f.id),
    [feeds.items[1]?.id],
    'the cursor of a deleted feed still reads on',
  )
})

t.test('one limit everywhere: 1 to 1000', async (t) => {
  for (const url of [
    '/api/v1/collections',
    '/api/v1/api-keys',
    '/api/v1/feeds',
    '/api/v1/users?organizationId=' + orgA,
  ]) {
    const sep = url.includes('?') ? '&' : '?'
    const admin = url.startsWith('/api/v1/users')
      ? { authorization: `Bearer ${await loginAs(app, await createUser(app, { orgId: orgA, role: 'admin' }))}` }
      : publisherA
    t.equal((await app.inject({ url: `${url}${sep}limit=1000`, headers: admin })).statusCode, 200, `${url}: 1000`)
    t.equal((await app.inject({ url: `${url}${sep}limit=1001`, headers: admin })).statusCode, 400, `${url}: 1001`)
    t.equal((await app.inject({ url: `${url}${sep}limit=0`, headers: admin })).statusCode, 400, `${url}: 0`)
    t.equal(
      (await app.inject({ url: `${url}${sep}cursor=nonsense`, headers: admin })).json().error?.code,
      'CRISP_INVALID_CURSOR',
      `${url}: a cursor it did not issue`,
    )
  }
})
