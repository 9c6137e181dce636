import t, { type Test } from 'tap'
import { freshDatabase } from '../helper.js'

const rejects = async (t: Test, promise: Promise<unknown>, pattern: RegExp, what: string) => {
  const err = await promise.then(
    () => null,
    (e: Error) => e,
  )
  t.ok(err, `${what}: rejected by the database`)
  t.match(err?.message ?? '', pattern, what)
}

t.test('the database itself rejects bad rows', async (t) => {
  const { knex } = await freshDatabase(t)
  const [a] = await knex('organizations').insert({ name: 'Alpha CERT' }).returning('id')
  await rejects(
    t,
    knex('organizations').insert({ name: 'Alpha CERT' }),
    /organizations_name_unique/,
    'duplicate organization name',
  )
  await rejects(
    t,
    knex('organizations').insert({ name: '   ' }),
    /organizations_name_length/,
    'blank organization name',
  )
  const level = await knex('trust_levels').first('id')
  if (!level) throw new Error('the migrations seed trust levels')
  await rejects(
    t,
    knex('trust_relationships').insert({ trustor_org_id: a.id, trustee_org_id: a.id, trust_level_id: level.id }),
    /trust_relationships_not_self/,
    'trust relationship from an org to itself',
  )
  await rejects(
    t,
    knex('trust_levels').insert({ name: 'Six', level: 6, anonymization_level: 'none' }),
    /trust_levels_level_range/,
    'level above 5',
  )
  await rejects(
    t,
    knex('trust_levels').insert({ name: 'Zero', level: 0, anonymization_level: 'none' }),
    /trust_levels_level_range/,
    'level below 1',
  )
  // Values outside the vocabularies: the row types refuse them, so they go through untyped tables.
  await rejects(
    t,
    knex<Record<string, unknown>>('trust_levels').insert({ name: 'Odd', level: 3, anonymization_level: 'partial' }),
    /trust_levels_anonymization_valid/,
    'unknown anonymization level',
  )
  await rejects(
    t,
    knex<Record<string, unknown>>('users').insert({ organization_id: a.id, email: 'x@y.z', role: 'root' }),
    /users_role_valid/,
    'unknown role',
  )
  await knex('users').insert({ organization_id: a.id, email: 'Ann@Example.org', role: 'viewer' })
  await rejects(
    t,
    knex('users').insert({ organization_id: a.id, email: 'ann@example.org', role: 'viewer' }),
    /users_email_unique/,
    'emails are unique regardless of case',
  )
  await rejects(
    t,
    knex('users').insert({ organization_id: '00000000-0000-0000-0000-000000000000', email: 'b@y.z', role: 'viewer' }),
    /foreign key/,
    'user of a missing organization',
  )
})

t.test('five default trust levels are seeded, level 5 = none … level 1 = full', async (t) => {
  const { knex } = await freshDatabase(t)
  const rows = await knex('trust_levels').orderBy('level', 'desc').select('level', 'anonymization_level')
  t.same(rows, [
    { level: 5, anonymization_level: 'none' },
    { level: 4, anonymization_level: 'low' },
    { level: 3, anonymization_level: 'medium' },
    { level: 2, anonymization_level: 'high' },
    { level: 1, anonymization_level: 'full' },
  ])
})

t.test('the audit log is append-only in the database', async (t) => {
  const { knex } = await freshDatabase(t)
  await knex('audit_log').insert({ action: 'test.entry' })
  await rejects(t, knex('audit_log').update({ action: 'rewritten' }), /append-only/, 'update refused')
  await rejects(t, knex('audit_log').delete(), /append-only/, 'delete refused')
  await rejects(t, knex.raw('TRUNCATE audit_log'), /append-only/, 'truncate refused')
  t.equal((await knex('audit_log').count({ n: '*' }))[0].n, '1')
})

t.test('migrate:rollback then migrate:latest works', async (t) => {
  const { knex } = await freshDatabase(t)
  while ((await knex.migrate.currentVersion()) !== 'none') await knex.migrate.rollback()
  const tables = await knex.raw(
    `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%'`,
  )
  t.equal(tables.rows[0].n, 0, 'every table dropped')
  const [, applied] = await knex.migrate.latest()
  t.ok(applied.length >= 4, 'all migrations re-applied')
  t.equal((await knex('trust_levels').count({ n: '*' }))[0].n, '5')
})
