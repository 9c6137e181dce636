/**
 * The release rule is one table (RELEASE_RULE in core/sharing/release-policy.ts) read twice: per row by
 * `decideRelease`, and as the page query's TLP filter generated from it (`sharedRowsQuery`). Here both answer
 * for every combination — each TLP label and unmarked, in a collection of the reader's own organization, of a
 * producer trusting the reader at each anonymization level, and of a producer without a relationship — with
 * one stored row per combination in a real database, and they must agree.
 */
import t from 'tap'
import type { Knex } from 'knex'
import { freshDatabase, createOrg } from '../helper.js'
import { createCollection } from '../taxii/fixtures.js'
import { storeObjects, TLP_MARKING_IDS } from '../../core/store/index.js'
import { ANONYMIZATION_LEVELS, type AnonymizationLevel } from '../../core/plugin-api/types.js'
import { decideRelease, TLP_CASES, type Relation, type TlpCase } from '../../core/sharing/release-policy.js'
import { resolveCollectionContexts, type CollectionContext } from '../../core/sharing/reader-context.js'
import { sharedRowsQuery, type SharedRow } from '../../core/sharing/shared-rows.js'

interface Case {
  label: string
  collectionId: string
  /** The level of the producer's trust relationship towards the reader (trusted producers only). */
  trustedAt?: AnonymizationLevel
}

/** A producer's public collection holding one indicator per TLP case; with `trustedAt`, trusting the reader at that level. */
async function producerCollection(
  knex: Knex,
  readerOrgId: string,
  label: string,
  trustedAt?: AnonymizationLevel,
): Promise<Case> {
  const producerOrgId = label === 'own' ? readerOrgId : await createOrg(knex, `producer ${label}`)
  if (trustedAt) {
    const level = await knex('trust_levels').where({ anonymization_level: trustedAt }).first('id')
    if (!level) throw new Error(`no default trust level at ${trustedAt}`)
    await knex('trust_relationships').insert({
      trustor_org_id: producerOrgId,
      trustee_org_id: readerOrgId,
      trust_level_id: level.id,
    })
  }
  const collectionId = await createCollection(knex, producerOrgId, label === 'own' ? 'private' : 'public', label)
  const objects = TLP_CASES.map((tlp, i) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-00000000000${i}`,
    created: '2024-01-01T00:00:00.000Z',
    modified: '2024-01-01T00:00:00.000Z',
    name: tlp,
    pattern: `[ipv4-addr:value = '198.51.100.${i}']`,
    pattern_type: 'stix',
    valid_from: '2024-01-01T00:00:00.000Z',
    ...(tlp === 'unmarked' ? {} : { object_marking_refs: [TLP_MARKING_IDS[tlp]] }),
  }))
  const results = await storeObjects({ db: knex, collectionId, producerOrgId, objects, attribution: 'as-given' })
  if (results.some((r) => r.status === 'rejected')) throw new Error(JSON.stringify(results))
  return { label, collectionId, trustedAt }
}

/** The TLP cases the page query returns for the given collections, per collection. */
async function releasedBySql(
  knex: Knex,
  contexts: ReadonlyMap<string, CollectionContext>,
  ids: readonly string[],
): Promise<Map<string, Set<TlpCase>>> {
  const collections: Record<Relation, string[]> = { own: [], trusted: [], untrusted: [] }
  for (const id of ids) {
    const context = contexts.get(id)
    if (context) collections[context.relation].push(id)
  }
  const rows: SharedRow[] = await sharedRowsQuery({ knex, collections, filter: {}, order: 'seq', limit: 1000, raw: [] })
  const released = new Map<string, Set<TlpCase>>()
  for (const row of rows) {
    const cases = released.get(row.collection_id) ?? new Set<TlpCase>()
    cases.add(row.tlp === null ? 'unmarked' : (TLP_CASES.find((c) => c === row.tlp) ?? 'unmarked'))
    released.set(row.collection_id, cases)
  }
  return released
}

t.test('the page query and decideRelease agree on every TLP case for every relation and level', async (t) => {
  const { knex } = await freshDatabase(t)
  const reader = await createOrg(knex, 'reader')
  const cases: Case[] = [await producerCollection(knex, reader, 'own')]
  for (const level of ANONYMIZATION_LEVELS)
    cases.push(await producerCollection(knex, reader, `trusted at ${level}`, level))
  cases.push(await producerCollection(knex, reader, 'untrusted'))
  t.equal(
    Number((await knex('collection_objects').count({ n: '*' }).first())?.n),
    cases.length * TLP_CASES.length,
    'one stored row per combination',
  )

  const contexts = await resolveCollectionContexts(knex, reader)
  const expectedRelation = (c: Case): Relation => (c.label === 'own' ? 'own' : c.trustedAt ? 'trusted' : 'untrusted')
  const all = cases.map((c) => c.collectionId)
  // One query over every collection (the OR of the relations' conditions), and one per collection (one relation: TAXII pages).
  const together = await releasedBySql(knex, contexts, all)
  for (const c of cases) {
    const context = contexts.get(c.collectionId)
    if (!context) {
      t.fail(`${c.label}: collection not visible`)
      continue
    }
    t.equal(context.relation, expectedRelation(c), `${c.label}: relation`)
    t.equal(
      context.anonymizationLevel,
      c.label === 'own' ? 'none' : (c.trustedAt ?? 'full'),
      `${c.label}: level resolved once for the collection`,
    )
    const alone = await releasedBySql(knex, contexts, [c.collectionId])
    for (const tlp of TLP_CASES) {
      const decision = decideRelease({
        tlp: tlp === 'unmarked' ? null : tlp,
        relation: context.relation,
        anonymizationLevel: context.anonymizationLevel,
      })
      const where = `${c.label}, ${tlp}`
      t.equal(
        together.get(c.collectionId)?.has(tlp) ?? false,
        decision.release,
        `${where}: SQL over all collections agrees with decideRelease`,
      )
      t.equal(
        alone.get(c.collectionId)?.has(tlp) ?? false,
        decision.release,
        `${where}: SQL over this collection agrees with decideRelease`,
      )
      if (decision.release && !decision.own)
        t.equal(decision.level, context.anonymizationLevel, `${where}: released at the collection's level`)
    }
  }
})
