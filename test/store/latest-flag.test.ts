import t from 'tap'
import type { Knex } from 'knex'
import { storeObjects } from '../../core/store/index.js'
import { deleteObjectVersions } from '../../core/taxii/remove-object.js'
import { createOrg, freshDatabase } from '../helper.js'
import { createCollection, indicator } from '../taxii/fixtures.js'

/** Memberships whose `latest` flag disagrees with "holds the newest version of its object in its collection". */
async function wrongFlags(knex: Knex): Promise<unknown[]> {
  const { rows } = await knex.raw(`
    SELECT * FROM (
      SELECT co.collection_id, s.stix_id, s.version, co.latest,
             s.version = max(s.version) OVER (PARTITION BY co.collection_id, s.stix_id) AS newest
      FROM collection_objects co JOIN stix_objects s ON s.pk = co.object_pk) m
    WHERE latest <> newest`)
  return rows
}

const IDS = [
  'indicator--6b4f8a52-3c1e-4a0f-9d7e-1f2a3b4c5d60',
  'indicator--6b4f8a52-3c1e-4a0f-9d7e-1f2a3b4c5d61',
  'indicator--6b4f8a52-3c1e-4a0f-9d7e-1f2a3b4c5d62',
]
const MODIFIED = [1, 2, 3, 4, 5].map((d) => `2024-03-0${d}T00:00:00.000000Z`)

/** One version with content fixed by its key, so storing it again is "unchanged", never a clash. */
const version = (id: string, modified: string) =>
  indicator({
    id,
    created: MODIFIED[0],
    modified,
    name: `${id.slice(-2)} at ${modified.slice(8, 10)}`,
    pattern: `[ipv4-addr:value = '198.51.100.${id.slice(-2)}']`,
  })

/** Deterministic PRNG (mulberry32), so a failing sequence is replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), a | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

t.test('a membership is flagged latest exactly when it holds the newest version in its collection', async (t) => {
  const { knex } = await freshDatabase(t)
  const org = await createOrg(knex, 'Producer')
  const a = await createCollection(knex, org, 'private', 'A')
  const b = await createCollection(knex, org, 'private', 'B')
  const [id] = IDS
  const store = (collectionId: string, modified: string[]) =>
    storeObjects({ db: knex, collectionId, producerOrgId: org, objects: modified.map((m) => version(id, m)) })
  const flags = async (collectionId: string) =>
    (
      await knex.raw(
        `SELECT to_char(s.version AT TIME ZONE 'UTC', 'DD') AS day, co.latest FROM collection_objects co
         JOIN stix_objects s ON s.pk = co.object_pk WHERE co.collection_id = ? ORDER BY s.version`,
        [collectionId],
      )
    ).rows.map((r: { day: string; latest: boolean }) => `${r.day}${r.latest ? '*' : ''}`)

  await store(a, [MODIFIED[1], MODIFIED[2]])
  t.same(await flags(a), ['02', '03*'], 'two versions in one statement: the newer one')
  await store(a, [MODIFIED[0]])
  t.same(await flags(a), ['01', '02', '03*'], 'an older version arriving later is not the latest')
  await store(b, [MODIFIED[1]])
  t.same(await flags(b), ['02*'], 'per collection: the same version is the latest of another collection')
  t.same(await flags(a), ['01', '02', '03*'], 'and the first collection is untouched')
  await store(a, [MODIFIED[3]])
  t.same(await flags(a), ['01', '02', '03', '04*'], 'a newer version takes the flag from the one before')

  t.equal(await deleteObjectVersions(knex, { collectionId: a, stixId: id, versions: { last: true } }), 1)
  t.same(await flags(a), ['01', '02', '03*'], 'removing the newest gives the flag back to the one before')
  await deleteObjectVersions(knex, { collectionId: a, stixId: id, versions: { first: true } })
  t.same(await flags(a), ['02', '03*'], 'removing an older one changes nothing')

  await knex.raw(
    `DELETE FROM stix_objects WHERE stix_id = ? AND version = ? AND NOT EXISTS (
       SELECT 1 FROM collection_objects co WHERE co.object_pk = stix_objects.pk AND co.collection_id = ?)`,
    [id, MODIFIED[2], b],
  )
  t.same(await flags(a), ['02*'], 'a version removed from the store (plain SQL) takes its flag away with it')
  t.same(await flags(b), ['02*'])

  const newer = await store(b, [MODIFIED[4]])
  t.equal(newer[0].status, 'new-version')
  await knex.raw(
    `INSERT INTO collection_objects (collection_id, object_pk) SELECT ?, pk FROM stix_objects WHERE stix_id = ? AND version = ?`,
    [a, id, MODIFIED[4]],
  )
  t.same(await flags(a), ['02', '05*'], 'a membership added by plain SQL settles the flags too')
  await knex('collections').where({ id: b }).del()
  t.same(await flags(a), ['02', '05*'], "deleting another collection leaves this one's flags alone")
  t.same(await wrongFlags(knex), [])
})

t.test('random stores and removals across two collections keep every flag true', async (t) => {
  const { knex } = await freshDatabase(t)
  const org = await createOrg(knex, 'Producer')
  const other = await createOrg(knex, 'Other producer')
  const collections = [
    await createCollection(knex, org, 'private', 'A'),
    await createCollection(knex, org, 'private', 'B'),
  ]
  const seed = Number(process.env.LATEST_SEED ?? Date.now() % 2 ** 31)
  const random = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]
  for (let step = 0; step < 60; step++) {
    const collectionId = pick(collections)
    const id = pick(IDS)
    if (random() < 0.65) {
      const versions = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(MODIFIED)))]
      // Content is fixed by the key, so another producer's submission reuses the version already stored.
      await storeObjects({
        db: knex,
        collectionId,
        producerOrgId: random() < 0.8 ? org : other,
        objects: versions.map((m) => version(id, m)),
      })
    } else {
      const match = pick([{ last: true }, { first: true }, { all: true }, { at: [pick(MODIFIED)] }])
      await deleteObjectVersions(knex, { collectionId, stixId: id, versions: match })
    }
    const wrong = await wrongFlags(knex)
    if (wrong.length) {
      t.fail(`seed ${seed} (LATEST_SEED=${seed}), step ${step}: ${JSON.stringify(wrong)}`)
      return
    }
  }
  t.pass(`60 steps, seed ${seed}`)
  t.ok(Number((await knex('collection_objects').count({ n: '*' }).first())?.n) > 0, 'the sequence stored something')
})

t.test('migration 0065 flags the memberships already stored, and rolls back', async (t) => {
  const { knex } = await freshDatabase(t)
  const only = { name: '0065_collection_objects_latest' }
  await knex.migrate.down(only)
  const org = await createOrg(knex, 'Producer')
  const collectionId = await createCollection(knex, org)
  await storeObjects({
    db: knex,
    collectionId,
    producerOrgId: org,
    objects: [version(IDS[0], MODIFIED[0]), version(IDS[0], MODIFIED[2]), version(IDS[1], MODIFIED[1])],
  })
  await knex.migrate.up(only)
  const latest = await knex.raw(
    `SELECT s.stix_id, to_char(s.version AT TIME ZONE 'UTC', 'DD') AS day FROM collection_objects co
     JOIN stix_objects s ON s.pk = co.object_pk WHERE co.latest ORDER BY 1`,
  )
  t.same(latest.rows, [
    { stix_id: IDS[0], day: '03' },
    { stix_id: IDS[1], day: '02' },
  ])
  t.same(await wrongFlags(knex), [])
  await knex.migrate.down(only)
  t.notOk(await knex.schema.hasColumn('collection_objects', 'latest'), 'rollback drops the column')
  await knex.migrate.up(only)
  t.same(await wrongFlags(knex), [])
})
