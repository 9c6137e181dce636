import t from 'tap'
import { storeObjects, TLP_MARKING_IDS } from '../../core/store/index.js'
import { createOrg } from '../helper.js'
import { buildTaxiiApp, createCollection, indicator as fixtureIndicator } from '../taxii/fixtures.js'

/** The fixture's indicator, its id typed as the string it always is (the tests query rows by it). */
const indicator = (overrides: Record<string, unknown> = {}): Record<string, unknown> & { id: string } => {
  const o = fixtureIndicator(overrides)
  return { ...o, id: String(o.id) }
}

t.test('versions keyed by (id, modified): new, new-version, unchanged, rejected', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Producer')
  const collectionId = await createCollection(knex, orgId)
  const v1 = indicator()
  const v2 = { ...v1, modified: '2024-02-01T00:00:00.123456Z', name: 'renamed' }
  const clash = { ...v1, name: 'same modified, other content' }
  const reordered = Object.fromEntries(Object.entries(v1).reverse())
  const bad = indicator({ pattern: "[ipv4-addr:value = '1.2.3.4'" })
  const sco = {
    type: 'ipv4-addr',
    spec_version: '2.1',
    id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd',
    value: '198.51.100.3',
  }
  const results = await storeObjects({
    db: knex,
    collectionId,
    producerOrgId: orgId,
    objects: [v1, v2, clash, reordered, bad, sco, 42],
  })
  t.same(
    results.map((r) => r.status),
    ['new', 'new-version', 'rejected', 'unchanged', 'rejected', 'new', 'rejected'],
  )
  t.equal(results[1].version, '2024-02-01T00:00:00.123456Z')
  t.match(results[2].message, new RegExp(`${v1.id}: /modified: .*different content`))
  t.match(results[4].message, new RegExp(`${bad.id}: /pattern: invalid STIX pattern`))
  t.equal(results[5].version, '1970-01-01T00:00:00.000000Z', 'SCOs without modified use the epoch')

  const again = await storeObjects({ db: knex, collectionId, producerOrgId: orgId, objects: [v2, clash, sco] })
  t.same(
    again.map((r) => r.status),
    ['unchanged', 'rejected', 'unchanged'],
  )
  t.equal((await knex('stix_objects').count({ n: '*' }).first())?.n, '3', 'nothing added by re-submission')
  t.equal((await knex('collection_objects').count({ n: '*' }).first())?.n, '3')
  const rows = await knex('stix_objects').where({ stix_id: v1.id }).orderBy('version').select('producer_org_id', 'name')
  t.same(rows, [
    { producer_org_id: orgId, name: v1.name },
    { producer_org_id: orgId, name: 'renamed' },
  ])
})

t.test(
  'versions are keyed per producer: another organization may hold other content under one (id, modified), one organization never',
  async (t) => {
    const { knex } = await buildTaxiiApp(t)
    const orgA = await createOrg(knex, 'A')
    const orgB = await createOrg(knex, 'B')
    const [collectionA, collectionB, secondB] = [
      await createCollection(knex, orgA),
      await createCollection(knex, orgB),
      await createCollection(knex, orgB),
    ]
    const v1 = indicator()
    const other = { ...v1, name: 'same modified, other content' }
    const shared = indicator()

    t.same(
      (await storeObjects({ db: knex, collectionId: collectionA, producerOrgId: orgA, objects: [v1, shared] })).map(
        (r) => r.status,
      ),
      ['new', 'new'],
    )
    // B: its own content of v1 is stored beside A's; A's identical `shared` version is reused, not copied.
    t.same(
      (await storeObjects({ db: knex, collectionId: collectionB, producerOrgId: orgB, objects: [other, shared] })).map(
        (r) => r.status,
      ),
      ['new', 'unchanged'],
    )
    const rows = await knex('stix_objects').where({ stix_id: v1.id }).orderBy('name').select('producer_org_id', 'name')
    t.same(rows, [
      { producer_org_id: orgA, name: v1.name },
      { producer_org_id: orgB, name: other.name },
    ])
    t.equal(
      Number((await knex('stix_objects').where({ stix_id: shared.id }).count({ n: '*' }).first())?.n),
      1,
      'identical content stored once',
    )

    // One producer, one content per version: in another of B's collections, and where B's collection holds A's row.
    t.match(await storeObjects({ db: knex, collectionId: secondB, producerOrgId: orgB, objects: [v1] }), [
      { status: 'rejected', message: /different content/ },
    ])
    t.match(
      await storeObjects({
        db: knex,
        collectionId: collectionB,
        producerOrgId: orgB,
        objects: [{ ...shared, name: 'changed' }],
      }),
      [{ status: 'rejected', message: /different content/ }],
    )
    t.same(
      (await storeObjects({ db: knex, collectionId: secondB, producerOrgId: orgB, objects: [other] })).map(
        (r) => r.status,
      ),
      ['unchanged'],
      "B's own content, again",
    )
    const inSecondB = await knex('collection_objects as co')
      .join('stix_objects as s', 's.pk', 'co.object_pk')
      .where('co.collection_id', secondB)
      .select('s.producer_org_id', 's.name')
    t.same(inSecondB, [{ producer_org_id: orgB, name: other.name }])
  },
)

t.test('TLP from markings, default TLP added as a marking, revoked flag', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Producer')
  const collectionId = await createCollection(knex, orgId)
  const red = indicator({ object_marking_refs: [TLP_MARKING_IDS.red] })
  const plain = indicator({ revoked: true })
  await storeObjects({ db: knex, collectionId, producerOrgId: orgId, objects: [red, plain], defaultTlp: 'amber' })
  const stored = await knex('stix_objects').select('stix_id', 'tlp', 'revoked', 'document')
  const byId = new Map(stored.map((r) => [r.stix_id, r]))
  t.equal(byId.get(red.id)?.tlp, 'red')
  t.same(byId.get(red.id)?.document.object_marking_refs, [TLP_MARKING_IDS.red])
  t.equal(byId.get(plain.id)?.tlp, 'amber')
  t.same(byId.get(plain.id)?.document.object_marking_refs, [TLP_MARKING_IDS.amber])
  t.equal(byId.get(plain.id)?.revoked, true)
})

t.test('a revoked object gets no newer versions; older versions may still be back-filled', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Producer')
  const collectionId = await createCollection(knex, orgId)
  const v1 = indicator({ created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z' })
  const revoked = { ...v1, modified: '2024-03-01T00:00:00.000Z', revoked: true }
  const later = { ...v1, modified: '2024-04-01T00:00:00.000Z', name: 'back from the dead' }
  const between = { ...v1, modified: '2024-02-01T00:00:00.000Z', name: 'history' }
  t.same(
    (await storeObjects({ db: knex, collectionId, producerOrgId: orgId, objects: [v1, revoked] })).map((r) => r.status),
    ['new', 'new-version'],
  )
  const results = await storeObjects({ db: knex, collectionId, producerOrgId: orgId, objects: [later, between] })
  t.same(
    results.map((r) => r.status),
    ['rejected', 'new-version'],
  )
  t.match(results[0].message, new RegExp(`${v1.id}: /modified: the object was revoked at 2024-03-01T00:00:00.000000Z`))
  t.equal(
    (await knex('stix_objects').where({ stix_id: v1.id }).count({ n: '*' }).first())?.n,
    '3',
    'the later version was not stored',
  )
})

t.test('inside the caller transaction: nothing is committed until the caller commits', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Producer')
  const collectionId = await createCollection(knex, orgId)
  const trx = await knex.transaction()
  await storeObjects({ db: trx, collectionId, producerOrgId: orgId, objects: [indicator()] })
  t.equal((await knex('stix_objects').count({ n: '*' }).first())?.n, '0')
  await trx.rollback()
  t.equal((await knex('stix_objects').count({ n: '*' }).first())?.n, '0')
})

t.test('date_added is unique per collection and follows commit order', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Producer')
  const collectionId = await createCollection(knex, orgId)
  const slow = await knex.transaction()
  await storeObjects({ db: slow, collectionId, producerOrgId: orgId, objects: [indicator(), indicator()] })
  // A second writer must wait for the first to commit, then gets later date_added values.
  const fast = storeObjects({ db: knex, collectionId, producerOrgId: orgId, objects: [indicator()] })
  await new Promise((r) => setTimeout(r, 200))
  const visible = await knex('collection_objects').count({ n: '*' }).first()
  t.equal(visible?.n, '0', 'second writer blocked behind the first')
  await slow.commit()
  await fast
  const rows = await knex('collection_objects')
    .orderBy('seq')
    .select<{ d: string }[]>(knex.raw('date_added::text AS d'))
  t.equal(rows.length, 3)
  t.ok(rows[0].d < rows[1].d && rows[1].d < rows[2].d, 'strictly increasing in commit order')
  const many = Array.from({ length: 1200 }, () => indicator())
  await storeObjects({ db: knex, collectionId, producerOrgId: orgId, objects: many })
  const distinct = await knex('collection_objects').countDistinct({ n: 'date_added' }).first()
  t.equal(distinct?.n, '1203', 'no two members share a date_added')
})
