import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Knex } from 'knex'
import { ObjectText, storeObjects, TLP_MARKING_IDS } from '../../core/store/index.js'
import type { Tlp } from '../../core/stix/tlp.js'
import type { Attribution } from '../../core/store/store-objects.js'
import { buildOrganizationIdentity, firstVersionTimes } from '../../core/identity/org-identity.js'
import { createOrg } from '../helper.js'
import { buildTaxiiApp, createCollection } from '../taxii/fixtures.js'

// A feed source may hand the store an object as the exact JSON text it cut out (FeedObjectText, ObjectText in
// the store): an object stored byte for byte is then recognised from its text alone, never parsed. These tests
// hold that shortcut to the full path's answers.

const note = (content = 'a note', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'note',
  spec_version: '2.1',
  id: `note--${randomUUID()}`,
  created: '2024-01-01T00:00:00.000Z',
  modified: '2024-01-01T00:00:00.000Z',
  content,
  object_refs: ['indicator--6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e'],
  ...extra,
})

interface Call {
  objects: unknown[]
  /** The source's text of each object; undefined entries: none given. */
  texts: (string | undefined)[]
  defaultTlp?: Tlp
}

async function store(
  knex: Knex,
  orgId: string,
  collectionId: string,
  call: Call,
  withTexts: boolean,
  attribution: Attribution = 'as-given',
) {
  const prepared = await storeObjects.prepare({
    db: knex,
    // As text, each parses to its object (which a test may have changed since, to see which path answered).
    objects: withTexts
      ? call.objects.map((object, i) => {
          const text = call.texts[i]
          return text === undefined ? object : new ObjectText(text, () => ({ ok: true, object }))
        })
      : call.objects,
    defaultTlp: call.defaultTlp,
    producerOrgId: orgId,
    attribution,
  })
  const results = await knex.transaction((trx) =>
    storeObjects.write(trx, prepared, { collectionId, producerOrgId: orgId }),
  )
  // Each scenario runs with fresh ids: answers compare without them.
  return results.map((r) => (r.message ? `${r.status}: ${r.message.replaceAll(/--[0-9a-f-]{36}/g, '--…')}` : r.status))
}

/** Objects with their compact texts, as a stix-bundle feed of a compact bundle gives them. */
const compact = (objects: unknown[], defaultTlp?: Tlp): Call => ({
  objects,
  texts: objects.map((o) => JSON.stringify(o)),
  defaultTlp,
})

t.test('a re-fetched entry is recognised from its text, whether the store added the default TLP or not', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Feed owner')
  const collectionId = await createCollection(knex, orgId)
  const green = note('marked', { object_marking_refs: [TLP_MARKING_IDS.green] })
  const plain = note('unmarked')
  t.same(await store(knex, orgId, collectionId, compact([green, plain], 'amber'), true), ['new', 'new'])

  // Breaking the contract on purpose (the objects no longer match their texts) shows which path answered:
  // the text path finds the stored versions, the full path sees other content under the same modified.
  const edited = [green, plain].map((o) => ({ ...o, content: 'edited after parsing' }))
  const call = { ...compact([green, plain], 'amber'), objects: edited }
  t.same(await store(knex, orgId, collectionId, call, true), ['unchanged', 'unchanged'], 'answered from the texts')
  t.match(await store(knex, orgId, collectionId, call, false), [/^rejected: .*different content/, /^rejected/])
  t.equal((await knex('stix_objects').count({ n: '*' }).first())?.n, '2', 'nothing stored twice')
  t.equal((await knex('collection_objects').count({ n: '*' }).first())?.n, '2')
})

/** A first call that stores, then the call under test; each scenario gets fresh ids. */
interface Scenario {
  name: string
  build(): { first: Call; second: Call }
  expected: (string | RegExp)[]
}

const pretty = (o: unknown) => JSON.stringify(o, null, 2)
const scenarios: Scenario[] = [
  {
    name: 'stored unmarked, re-fetched with a default TLP: a change, not an unchanged object',
    build() {
      const o = note()
      return { first: compact([o]), second: compact([o], 'amber') }
    },
    expected: [/^rejected: .*different content/],
  },
  {
    name: 'pretty-printed entries take the full path',
    build() {
      const o = note()
      return { first: compact([o], 'amber'), second: { objects: [o], texts: [pretty(o)], defaultTlp: 'amber' } }
    },
    expected: ['unchanged'],
  },
  {
    name: 'other escapes in a compact text: found again by the stored form',
    build() {
      const o = note('café')
      return {
        first: compact([o], 'amber'),
        second: { objects: [o], texts: [JSON.stringify(o).replace('é', '\\u00e9')], defaultTlp: 'amber' },
      }
    },
    expected: ['unchanged'],
  },
  {
    name: 'a raw lone surrogate whose UTF-8 bytes equal a stored text is still refused',
    build() {
      const stored = note('a\uFFFDb')
      const lone = { ...stored, content: 'a\uD800b' }
      const text = JSON.stringify(lone).replace('\\ud800', '\uD800')
      return { first: compact([stored]), second: { objects: [lone], texts: [text] } }
    },
    expected: [/^rejected: .*lone surrogate/],
  },
  {
    name: 'a newer version and a clash with the same modified',
    build() {
      const o = note()
      const newer = { ...o, modified: '2024-02-01T00:00:00.000Z', content: 'newer' }
      const clash = { ...o, content: 'same modified, other content' }
      return { first: compact([o], 'amber'), second: compact([newer, clash], 'amber') }
    },
    expected: ['new-version', /^rejected: .*different content/],
  },
  {
    name: 'duplicates in one call, by text and by form, and what is not an object',
    build() {
      const o = note()
      return {
        first: compact([o], 'amber'),
        second: {
          objects: [o, o, o, 7, { type: 'note' }],
          texts: [pretty(o), JSON.stringify(o), JSON.stringify(o), '7', '{"type":"note"}'],
          defaultTlp: 'amber',
        },
      }
    },
    expected: ['unchanged', 'unchanged', 'unchanged', /^rejected/, /^rejected/],
  },
  {
    name: 'stored with markings but no TLP by a feed without a default, re-fetched with one: a change',
    build() {
      const o = note('marked', { object_marking_refs: ['marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] })
      return { first: compact([o]), second: compact([o], 'amber') }
    },
    expected: [/^rejected: .*different content/],
  },
  {
    name: 'markings without a TLP, re-fetched with the same default TLP: found by the stored form',
    build() {
      const o = note('marked', { object_marking_refs: ['marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] })
      return { first: compact([o], 'amber'), second: compact([o], 'amber') }
    },
    expected: ['unchanged'],
  },
  {
    name: 'a marking definition stored with a TLP marking, re-fetched without: never given the default',
    build() {
      const definition = {
        type: 'marking-definition',
        spec_version: '2.1',
        id: `marking-definition--${randomUUID()}`,
        created: '2024-01-01T00:00:00.000Z',
        definition_type: 'statement',
        definition: { statement: 'Copyright 2024' },
      }
      const marked = { ...definition, object_marking_refs: [TLP_MARKING_IDS.amber] }
      return { first: compact([marked]), second: compact([definition], 'amber') }
    },
    expected: [/^rejected: .*different content/],
  },
]

t.test('with and without the texts, the store answers the same', async (t) => {
  const { knex } = await buildTaxiiApp(t)
  for (const scenario of scenarios) {
    const answers: string[][] = []
    for (const withTexts of [true, false]) {
      const orgId = await createOrg(knex, `${scenario.name} ${withTexts}`)
      const collectionId = await createCollection(knex, orgId)
      const { first, second } = scenario.build()
      await store(knex, orgId, collectionId, first, false)
      answers.push(await store(knex, orgId, collectionId, second, withTexts))
    }
    t.match(answers[0], scenario.expected, scenario.name)
    t.equal(answers[0].length, scenario.expected.length)
    t.same(answers[0], answers[1], `${scenario.name}: the same with the texts as without`)
  }
})

t.test("attributed to the producer: an object found by its text still brings the producer's identity", async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const members: string[][] = []
  for (const withTexts of [true, false]) {
    const orgId = await createOrg(knex, `Producer ${withTexts}`)
    const facts = { id: orgId, name: 'Producer', sectors: [], contactInformation: null, contactEmail: null }
    const identity = buildOrganizationIdentity(facts, firstVersionTimes())
    await knex('organizations').where({ id: orgId }).update({ stix_identity: identity })
    const o = note('attributed', { created_by_ref: identity.id, object_marking_refs: [TLP_MARKING_IDS.green] })
    const first = await createCollection(knex, orgId)
    await store(knex, orgId, first, compact([o]), false, 'producer')
    // The same object into a second collection: found stored, it needs its creator there too.
    const second = await createCollection(knex, orgId)
    t.same(await store(knex, orgId, second, compact([o]), withTexts, 'producer'), ['unchanged'])
    const rows = await knex('collection_objects as co')
      .join('stix_objects as s', 's.pk', 'co.object_pk')
      .where('co.collection_id', second)
      .orderBy('co.date_added')
      .select('s.type')
    members.push(rows.map((r) => r.type))
  }
  t.same(members[0], ['identity', 'note'], 'the identity joins the collection before what it created')
  t.same(members[0], members[1], 'the same with the texts as without')
})

t.test("an entry found by its text is never parsed; the others are, and the source's answer counts", async (t) => {
  const { knex } = await buildTaxiiApp(t)
  const orgId = await createOrg(knex, 'Parse counter')
  const collectionId = await createCollection(knex, orgId)
  const stored = note('stored')
  await store(knex, orgId, collectionId, compact([stored], 'amber'), false)
  const parsed: string[] = []
  const text = (object: Record<string, unknown>, answer?: { message: string; ref: string }) => {
    const json = JSON.stringify(object)
    return new ObjectText(json, () => {
      parsed.push(String(object.content))
      return answer ? { ok: false, ...answer } : { ok: true, object }
    })
  }
  const fresh = note('fresh')
  const refused = note('refused by its source')
  const prepared = await storeObjects.prepare({
    db: knex,
    objects: [text(stored), text(fresh), text(refused, { message: 'objects[7] is not usable', ref: 'objects[7]' })],
    defaultTlp: 'amber',
    producerOrgId: orgId,
    attribution: 'as-given',
  })
  t.same(parsed, ['fresh', 'refused by its source'], 'only the entries not found stored were parsed')
  const results = await knex.transaction((trx) =>
    storeObjects.write(trx, prepared, { collectionId, producerOrgId: orgId }),
  )
  t.match(results, [
    { index: 0, id: stored.id, version: '2024-01-01T00:00:00.000000Z', status: 'unchanged' },
    { index: 1, id: fresh.id, status: 'new' },
    { index: 2, status: 'rejected', message: 'objects[7] is not usable', ref: 'objects[7]' },
  ])

  const broken = new ObjectText('{"type":"note","id":"x"', () => {
    throw new Error('the source says: invalid JSON in objects[0]')
  })
  await t.rejects(
    storeObjects.prepare({ db: knex, objects: [broken], producerOrgId: orgId, attribution: 'as-given' }),
    /invalid JSON in objects\[0\]/,
    "a parse that throws fails the call: the source's error",
  )
})
