/**
 * The leak hunter on a real database (issue 12, item 4): generated objects of every schema type, valid as the
 * store requires, published by a producer and read by partners it trusts at each level (and by an org it
 * does not trust: `full`) through every way out: REST list, object and versions, TAXII objects, object and
 * manifest, and every registered exporter with each of its enumerated options. No canary a level must hide
 * may appear in any response. The unit-level hunter (leak-hunter.test.ts) runs many more objects.
 */
import t from 'tap'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { LEVELS, type Level, type Planted } from './leak-hunter/canaries.js'
import { optionVariants, type Output } from './leak-hunter/egress.js'
import { describeLeak, findLeaks, generalPosition, type Leak } from './leak-hunter/leaks.js'
import { objectArbitrary, type Generated } from './leak-hunter/objects.js'
import { HUNTED_TYPES } from './leak-hunter/schemas.js'
import { typeSeed } from './leak-hunter/hunt.js'
import { buildTestApp, loginAs } from '../helper.js'
import { basic, createCollection, orgWithUsers, TAXII, trust } from '../taxii/fixtures.js'

const PER_TYPE = 2
const seed = process.env.LEAK_HUNTER_SEED
  ? Number(process.env.LEAK_HUNTER_SEED)
  : Math.floor(Math.random() * 0x7fffffff)
/** The default trust levels (migrations/0001) by the anonymization level they apply; `full` = no relationship. */
const TRUST_LEVEL: Readonly<Record<Level, string | null>> = {
  low: 'High trust',
  medium: 'Medium trust',
  high: 'Low trust',
  full: null,
}

t.comment(
  `leak hunter (e2e) seed ${seed} (replay: LEAK_HUNTER_SEED=${seed} npm test -- test/sharing/leak-hunter-e2e.test.ts)`,
)

/** Two objects of each type; an observable whose standard id repeats (same values) is left out, as the store would refuse it. */
function generate(): Generated[] {
  const all = HUNTED_TYPES.flatMap((type, i) =>
    fc.sample(objectArbitrary(type, (i + 1) * 0x9e3779b1), { seed: typeSeed(seed, i), numRuns: PER_TYPE }),
  )
  const ids = new Set<unknown>()
  return all.filter((g) => !ids.has(g.object.id) && ids.add(g.object.id))
}

type Reader = { level: Level; token: string }

/** Everything `reader` can read of collection `cid`, one output per response. */
async function readEverything(app: FastifyInstance, cid: string, reader: Reader): Promise<Output[]> {
  const bearer = { authorization: `Bearer ${reader.token}` }
  // Bearer everywhere: Basic auth hashes the password on every request (100 ms each).
  const taxii = { accept: TAXII, authorization: `Bearer ${reader.token}` }
  const outputs: Output[] = []
  const get = async (channel: string, url: string, headers: Record<string, string>) => {
    const res = await app.inject({ url, headers })
    outputs.push({ channel, text: res.body })
    return res
  }
  const list = await get('REST list', `/api/v1/objects?collection=${cid}&limit=1000`, bearer)
  const ids: string[] =
    list.statusCode === 200 ? list.json().items.map((i: { object: { id: string } }) => i.object.id) : []
  for (const id of ids) {
    await get('REST object', `/api/v1/objects/${id}`, bearer)
    await get('REST versions', `/api/v1/objects/${id}/versions`, bearer)
    await get('TAXII object', `/taxii2/api/collections/${cid}/objects/${id}/`, taxii)
  }
  await get('TAXII objects', `/taxii2/api/collections/${cid}/objects/`, taxii)
  await get('TAXII manifest', `/taxii2/api/collections/${cid}/manifest/`, taxii)
  for (const p of app.registry.byKind('exporter')) {
    for (const options of optionVariants(p.impl.optionsSchema)) {
      const query = new URLSearchParams({ collection: cid, ...(options as Record<string, string>) })
      await get(
        `export ${[p.impl.format, ...Object.values(options)].join(':')}`,
        `/api/v1/exports/${p.impl.format}?${query}`,
        bearer,
      )
    }
  }
  return outputs
}

t.test('no canary a level must hide reaches a partner through REST, TAXII or any export', async (t) => {
  const { app } = await buildTestApp(t)
  const producer = await orgWithUsers(app, 'Producer')
  const cid = await createCollection(app.knex, producer.orgId, 'public', 'Shared intel')
  const generated = generate()
  const objects = generated.map((g) => g.object)
  const planted: Planted[] = generated.flatMap((g) => g.planted)
  t.comment(`${objects.length} objects of ${HUNTED_TYPES.length} types, ${planted.length} canaries`)
  t.equal(generated.filter((g) => !g.valid).length, 0, 'every generated object is valid STIX')
  const pub = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: { authorization: basic(producer.publisher) },
    payload: { type: 'bundle', id: 'bundle--0f5c6c1e-6d5b-4a47-9a51-3c2b8f0e7d11', objects },
  })
  t.equal(pub.statusCode, 200, 'the producer publishes')
  const rejected = (pub.json().results ?? []).filter((r: { status: string }) => r.status === 'rejected')
  t.same(rejected, [], 'the store accepts every generated object')

  for (const level of LEVELS) {
    const partner = await orgWithUsers(app, `Partner at ${level}`)
    const trustLevel = TRUST_LEVEL[level]
    if (trustLevel) await trust(app.knex, producer.orgId, partner.orgId, trustLevel)
    const reader = { level, token: await loginAs(app, partner.viewer) }
    const outputs = await readEverything(app, cid, reader)
    const listed = JSON.parse(outputs[0].text).items?.length ?? 0
    t.ok(listed > 0, `the partner at ${level} reads objects (${listed} of ${objects.length})`)
    const leaks = findLeaks(outputs, planted, level)
    const classes = new Map<string, Leak[]>()
    for (const leak of leaks) {
      const key = `${leak.canary.kind} ${generalPosition(leak.canary.position)}`
      classes.set(key, [...(classes.get(key) ?? []), leak])
    }
    if (leaks.length) {
      const lines = [...classes].map(
        ([key, ls]) =>
          `${level} ${key} ×${ls.length} via ${[...new Set(ls.map((l) => l.channel))].join(', ')}\n    e.g. ${describeLeak(ls[0])}`,
      )
      t.comment(lines.slice(0, 40).join('\n'))
    }
    t.equal(
      leaks.length,
      0,
      `no canary leaks at ${level} (${classes.size} leaking positions, ${outputs.length} responses read)`,
    )
  }
})
