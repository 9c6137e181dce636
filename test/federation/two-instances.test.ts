/**
 * Federation: two CRISP platforms, each with its own database, listening on real ports. Platform B pulls a
 * collection of platform A with a taxii21 feed, authenticated by an API key A issued to B's account on A.
 * B must store exactly what A releases to B's organization (A's sharing policy and its trust in B decide),
 * nothing twice, and follow A's trust when it changes.
 */
import t from 'tap'
import { createOrg, createUser, loginAs } from '../helper.js'
import { liveTestApp } from '../live-app.js'
import { waitForRun } from '../feeds/feed-helper.js'

const TAXII = 'application/taxii+json;version=2.1'
const TLP_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const TLP_AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
const TLP_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'

const indicator = (n: number, pattern: string, marking: string) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--7d3f6c2a-1b4e-4f5a-8c9d-${String(n).padStart(12, '0')}`,
  created: '2024-06-01T10:00:00.000Z',
  modified: '2024-06-01T10:00:00.000Z',
  name: `federated ${n}`,
  pattern,
  pattern_type: 'stix',
  valid_from: '2024-06-01T10:00:00Z',
  object_marking_refs: [marking],
})

t.test(
  "B's taxii21 feed stores exactly A's release for B, adds nothing on re-runs, and follows A's trust",
  async (t) => {
    const a = await liveTestApp(t)
    const b = await liveTestApp(t, { env: { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32', CRISP_FEED_RETRY_DELAY: '1' } })

    // On A: A's organization publishes; B has an organization and an account on A, with an API key A issued.
    const orgA = await createOrg(a.knex, 'Org A')
    const publisherA = await createUser(a.app, { orgId: orgA, role: 'publisher' })
    const tokenA = { authorization: `Bearer ${await loginAs(a.app, publisherA)}` }
    const orgBonA = await createOrg(a.knex, 'Org B')
    const accountB = await createUser(a.app, { orgId: orgBonA, role: 'viewer', email: 'federation@b.example' })
    const apiKey = (
      await a.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { authorization: `Bearer ${await loginAs(a.app, accountB)}` },
        payload: { name: 'platform B' },
      })
    ).json().key as string
    const collection = (
      await a.app.inject({
        method: 'POST',
        url: '/api/v1/collections',
        headers: tokenA,
        payload: { title: 'A shares', visibility: 'trusted' },
      })
    ).json().id as string
    const levels = (await a.app.inject({ url: '/api/v1/trust-levels', headers: tokenA })).json().items as {
      id: string
      name: string
    }[]
    const level = (name: string) => levels.find((l) => l.name === name)!.id
    const trust = (
      await a.app.inject({
        method: 'POST',
        url: '/api/v1/trust-relationships',
        headers: tokenA,
        payload: { trusteeOrganizationId: orgBonA, trustLevelId: level('Medium trust') },
      })
    ).json().id as string
    const publishOnA = async (objects: unknown[]) => {
      const res = await a.app.inject({
        method: 'POST',
        url: `/api/v1/collections/${collection}/bundles`,
        headers: tokenA,
        payload: { type: 'bundle', id: 'bundle--7d3f6c2a-1b4e-4f5a-8c9d-000000000000', objects },
      })
      t.equal(res.json().counts.new, objects.length, 'published on A')
    }
    await publishOnA([
      indicator(1, "[ipv4-addr:value = '198.51.100.23']", TLP_GREEN),
      indicator(2, "[domain-name:value = 'c2.pipeline.example']", TLP_AMBER),
      indicator(3, "[ipv4-addr:value = '192.0.2.66']", TLP_RED),
    ])
    /** What A releases to B's organization, read over A's TAXII server with B's key (from outside, over HTTP). */
    const releaseForB = async () => {
      const res = await fetch(`${a.url}/taxii2/api/collections/${collection}/objects/`, {
        headers: { accept: TAXII, authorization: `Bearer ${apiKey}` },
      })
      t.equal(res.status, 200)
      const objects = ((await res.json()) as { objects: { id: string }[] }).objects
      return new Map(objects.map((o) => [o.id, o]))
    }

    // On B: B's organization, a collection, and the feed pulling A's collection with A's key.
    const orgB = await createOrg(b.knex, 'Org B')
    const publisherB = await createUser(b.app, { orgId: orgB, role: 'publisher' })
    const tokenB = { authorization: `Bearer ${await loginAs(b.app, publisherB)}` }
    const intoB = (
      await b.app.inject({ method: 'POST', url: '/api/v1/collections', headers: tokenB, payload: { title: 'From A' } })
    ).json().id as string
    const feed = await b.app.inject({
      method: 'POST',
      url: '/api/v1/feeds',
      headers: tokenB,
      payload: {
        name: 'Platform A',
        source: 'taxii21',
        collectionId: intoB,
        defaultTlp: 'none',
        config: {
          collectionUrl: `${a.url}/taxii2/api/collections/${collection}/`,
          auth: { type: 'basic', username: accountB.email, password: apiKey },
        },
      },
    })
    t.equal(feed.statusCode, 201, feed.body)
    const runOnB = async () => {
      const queued = await b.app.inject({ method: 'POST', url: `/api/v1/feeds/${feed.json().id}/run`, headers: tokenB })
      const run = await waitForRun(b.knex, queued.json().id)
      t.equal(run.status, 'succeeded', run.error ?? '')
      return run
    }
    const storedOnB = async () => {
      const rows = await b
        .knex('collection_objects as c')
        .join('stix_objects as s', 's.pk', 'c.object_pk')
        .where('c.collection_id', intoB)
        .select('s.stix_id', 's.document')
      return new Map(rows.map((r) => [r.stix_id as string, r.document]))
    }

    const first = await runOnB()
    const released = await releaseForB()
    t.equal(released.size, 2, 'A releases the green and amber indicators to B, never the red one')
    t.same(await storedOnB(), released, "B stores exactly A's release for B's organization")
    const stored1 = (await storedOnB()).get(indicator(1, '', '').id) as { pattern: string }
    t.notMatch(stored1.pattern, '198.51.100.23', 'anonymized at medium trust: B never sees the address')
    t.equal(first.new_objects, 2)

    const second = await runOnB()
    t.equal(second.new_objects + second.new_versions, 0, 're-run: nothing new')
    t.equal(Number((await b.knex('stix_objects').count({ n: '*' }))[0].n), 2, 'and no row added on B')

    // A trusts B fully from now on: what A releases next reaches B as published.
    const changed = await a.app.inject({
      method: 'PATCH',
      url: `/api/v1/trust-relationships/${trust}`,
      headers: tokenA,
      payload: { trustLevelId: level('Full trust') },
    })
    t.equal(changed.statusCode, 200)
    await publishOnA([indicator(4, "[ipv4-addr:value = '203.0.113.9']", TLP_GREEN)])
    const third = await runOnB()
    t.equal(third.new_objects, 1, 'the next run brings the new object')
    const after = await storedOnB()
    const fourth = after.get(indicator(4, '', '').id) as { pattern: string }
    t.equal(fourth.pattern, "[ipv4-addr:value = '203.0.113.9']", 'at full trust B receives it as A published it')
    t.same(fourth, (await releaseForB()).get(indicator(4, '', '').id), "still exactly A's release")
    t.equal(after.size, 3)
  },
)
