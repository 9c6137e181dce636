import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { buildTestApp } from '../helper.js'
import { createCollection, indicator, trust } from '../taxii/fixtures.js'
import { bearer, event, matched, orgWithRoles, postEvents, type OrgMembers } from './fixtures.js'

// The released-value index (core/events/match/released-index.ts) answers matching instead of a pass over the
// whole store: these tests check that it keeps the privacy rule — it holds only released values, and the
// sharing decision is made again on every pass.

const marked = (tlp: keyof typeof TLP_MARKING_IDS, pattern: string, extra: Record<string, unknown> = {}) =>
  indicator({ pattern, object_marking_refs: [TLP_MARKING_IDS[tlp]], ...extra })

async function publish(
  app: FastifyInstance,
  who: OrgMembers,
  collectionId: string,
  objects: Record<string, unknown>[],
) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: bearer(who.publisher.token),
    payload: { type: 'bundle', id: `bundle--${crypto.randomUUID()}`, objects },
  })
  if (res.statusCode !== 200) throw new Error(res.body)
}

/** Sends one event with the observables, waits for its matching job, returns what it matched. */
async function matchOnce(app: FastifyInstance, who: OrgMembers, observables: { type: string; value: string }[]) {
  const sent = await postEvents(app, bearer(who.admin.token), [event({ severity: 1, observables })])
  const { id } = sent.json().results[0]
  await matched(app.knex, [id])
  const res = await app.inject({ url: `/api/v1/events/${id}`, headers: bearer(who.viewer.token) })
  return (res.json().matches as { observable: { value: string }; matchedValue: string; stixId: string }[]).map((m) => [
    m.observable.value,
    m.matchedValue,
    m.stixId,
  ])
}

t.test(
  'the index follows trust, TLP and visibility changes on the next match, and never holds a pseudonym',
  async (t) => {
    const { app, knex } = await buildTestApp(t)
    const producer = await orgWithRoles(app, 'Producer')
    const reader = await orgWithRoles(app, 'Reader')
    const cid = await createCollection(knex, producer.orgId, 'public', 'Intel')
    const address = marked('green', "[ipv4-addr:value = '198.51.100.23']")
    const domain = marked('green', "[domain-name:value = 'evil.example.com']")
    const amber = marked('amber', "[file:hashes.'SHA-256' = '" + 'ab'.repeat(32) + "']")
    await publish(app, producer, cid, [address, domain, amber])
    const probe = [
      { type: 'ipv4-addr', value: '198.51.7.9' },
      { type: 'ipv4-addr', value: '198.51.100.23' },
      { type: 'domain-name', value: 'evil.example.com' },
      { type: 'sha256', value: 'ab'.repeat(32) },
    ]

    await t.test('without trust (level full): the keyed address, the pseudonym and AMBER match nothing', async (t) => {
      t.same(await matchOnce(app, reader, probe), [])
      t.ok(
        Number((await knex('released_value_objects').count({ n: '*' }))[0].n) >= 2,
        "the visible objects were indexed for the reader's variant",
      )
    })

    await t.test(
      'trust at medium takes effect on the next match: the /16 and AMBER match, the pseudonymized domain still not',
      async (t) => {
        await trust(knex, producer.orgId, reader.orgId, 'Medium trust')
        t.same(
          (await matchOnce(app, reader, probe)).sort(),
          [
            ['198.51.7.9', '198.51.0.0/16', address.id],
            ['198.51.100.23', '198.51.0.0/16', address.id],
            ['ab'.repeat(32), 'ab'.repeat(32), amber.id],
          ].sort(),
        )
      },
    )

    await t.test(
      'the index holds released values only: no stored address, no stored domain, no pseudonym',
      async (t) => {
        const rows: { kind: string; value: string }[] = await knex('released_values').select('kind', 'value')
        t.ok(rows.length > 0)
        t.notOk(
          rows.some((r) => r.value.includes('evil.example.com')),
          'the stored domain is nowhere',
        )
        t.notOk(
          rows.some((r) => r.value.endsWith('.invalid')),
          'no pseudonym is indexed: it must never confirm a value',
        )
        t.notOk(
          rows.some((r) => r.kind === 'ipv4-addr' && r.value.startsWith('4/32:')),
          "no exact address from the producer's collection: only networks (and keyed addresses are left out)",
        )
        t.ok(
          rows.some((r) => r.value === '4/16:c633'),
          'the /16 the reader received (198.51.0.0/16)',
        )
      },
    )

    await t.test('a newer version marked TLP:RED withdraws the indicator on the next match', async (t) => {
      await publish(app, producer, cid, [
        { ...address, modified: '2024-06-01T00:00:00.000Z', object_marking_refs: [TLP_MARKING_IDS.red] },
      ])
      t.same(await matchOnce(app, reader, [probe[0]]), [], 'the last version is RED: never released, never matched')
    })

    await t.test('trust removed: AMBER is withheld again on the next match', async (t) => {
      await knex('trust_relationships').where({ trustor_org_id: producer.orgId, trustee_org_id: reader.orgId }).del()
      t.same(await matchOnce(app, reader, [probe[3]]), [])
    })

    await t.test('the collection made private: nothing of it matches on the next pass', async (t) => {
      await trust(knex, producer.orgId, reader.orgId, 'Full trust')
      t.same(
        (await matchOnce(app, reader, [probe[3]])).map((m) => m[2]),
        [amber.id],
        'visible at full trust: matches',
      )
      await knex('collections').where({ id: cid }).update({ visibility: 'private' })
      t.same(await matchOnce(app, reader, [probe[3]]), [], 'invisible: no match')
    })
  },
)

t.test("the index fills incrementally and covers the reader's own collections as stored", async (t) => {
  const { app, knex } = await buildTestApp(t)
  const producer = await orgWithRoles(app, 'Producer')
  const reader = await orgWithRoles(app, 'Reader')
  await trust(knex, producer.orgId, reader.orgId, 'Medium trust')
  const shared = await createCollection(knex, producer.orgId, 'trusted', 'Shared')
  const own = await createCollection(knex, reader.orgId, 'private', 'Own')
  const first = marked('green', "[domain-name:value = 'first.example.org']")
  await publish(app, producer, shared, [first, marked('green', "[ipv4-addr:value = '203.0.113.77']")])
  const ownRed = marked('red', "[ipv4-addr:value = '192.0.2.44']")
  await publish(app, reader, own, [ownRed])
  const partnerAddress = await m16(knex, producer)

  t.same(
    await matchOnce(app, reader, [
      { type: 'ipv4-addr', value: '192.0.2.44' },
      { type: 'ipv4-addr', value: '203.0.113.9' },
    ]).then((m) => m.sort()),
    [
      ['192.0.2.44', '192.0.2.44', ownRed.id],
      ['203.0.113.9', '203.0.0.0/16', partnerAddress],
    ].sort(),
    "its own RED indicator matches exactly (own data leaves as stored); the partner's address as its /16",
  )
  const indexed = Number((await knex('released_value_objects').count({ n: '*' }))[0].n)
  t.equal(indexed, 3)

  const later = marked('green', "[file:hashes.'SHA-256' = '" + 'cd'.repeat(32) + "']")
  await publish(app, producer, shared, [later])
  const before = await knex('released_value_fills').where({ collection_id: shared }).first()
  t.same(
    await matchOnce(app, reader, [{ type: 'sha256', value: 'cd'.repeat(32) }]),
    [['cd'.repeat(32), 'cd'.repeat(32), later.id]],
    'the new indicator matches on the next pass',
  )
  t.equal(Number((await knex('released_value_objects').count({ n: '*' }))[0].n), 4, 'only the new version was indexed')
  const after = await knex('released_value_fills').where({ collection_id: shared }).first()
  t.ok(before && after && BigInt(after.seq) > BigInt(before.seq), 'the fill moved on past the new membership')
  t.ok(
    await knex('anonymized_objects')
      .where({ anonymized_id: String(later.id) })
      .first(),
    'its anonymized output was stored for the variant (the egress pipeline serves it too)',
  )
})

/** The id of the one address indicator the producer published (anonymized indicators keep their id). */
async function m16(knex: FastifyInstance['knex'], producer: OrgMembers): Promise<string> {
  const row = await knex('stix_objects')
    .where({ producer_org_id: producer.orgId })
    .whereRaw(`document->>'pattern' LIKE '%203.0.113.77%'`)
    .first('stix_id')
  if (!row) throw new Error('the producer published no address indicator')
  return row.stix_id
}
