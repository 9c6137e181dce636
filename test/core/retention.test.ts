import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildTestApp, freshDatabase } from '../helper.js'
import { QUEUES } from '../../core/jobs/queues.js'
import { archiveExpiredAudit } from '../../core/audit/retention.js'
import { purgeExpiredTokens } from '../../core/identity/purge-tokens.js'

const count = async (knex: import('knex').Knex, table: string) => Number((await knex(table).count({ n: '*' }))[0].n)

t.test('expired refresh tokens are purged after the grace; live, used and revoked ones within it stay', async (t) => {
  const { knex } = await freshDatabase(t)
  const [org] = await knex('organizations').insert({ name: 'Token Org' }).returning('id')
  const [user] = await knex('users')
    .insert({ organization_id: org.id, email: 'tok@example.org', role: 'viewer' })
    .returning('id')
  const at = (seconds: number) => new Date(Date.now() + seconds * 1000)
  const family = '11111111-1111-4111-8111-111111111111'
  await knex('refresh_tokens').insert([
    { user_id: user.id, family_id: family, token_hash: 'expired-long-ago', expires_at: at(-7200) },
    { user_id: user.id, family_id: family, token_hash: 'expired-used', expires_at: at(-7200), used_at: at(-8000) },
    {
      user_id: user.id,
      family_id: family,
      token_hash: 'expired-revoked',
      expires_at: at(-4000),
      revoked_at: at(-5000),
    },
    {
      user_id: user.id,
      family_id: family,
      token_hash: 'expired-within-grace',
      expires_at: at(-60),
      revoked_at: at(-100),
    },
    { user_id: user.id, family_id: family, token_hash: 'used-live', expires_at: at(3600), used_at: at(-10) },
    { user_id: user.id, family_id: family, token_hash: 'live', expires_at: at(3600) },
  ])
  t.equal(await purgeExpiredTokens(knex, { graceSeconds: 900 }), 3, 'three rows expired more than 900 s ago')
  const left = (await knex('refresh_tokens').orderBy('token_hash').pluck('token_hash')) as string[]
  t.same(left, ['expired-within-grace', 'live', 'used-live'])
  t.equal(await purgeExpiredTokens(knex, { graceSeconds: 900 }), 0, 'a second run finds nothing')
})

t.test('audit entries older than the retention are archived to a file, then deleted; newer ones stay', async (t) => {
  const { knex } = await freshDatabase(t)
  const archiveDir = mkdtempSync(path.join(os.tmpdir(), 'crisp-audit-archive-'))
  t.teardown(() => rmSync(archiveDir, { recursive: true, force: true }))
  const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000)
  await knex('audit_log').insert([
    { action: 'old.one', at: daysAgo(400), details: { n: 1 } },
    { action: 'old.two', at: daysAgo(91), outcome: 'failure', ip: '192.0.2.1' },
    { action: 'recent', at: daysAgo(89) },
    { action: 'now' },
  ])
  const expected = await knex.raw<{ rows: { line: string }[] }>(
    `SELECT to_jsonb(a)::text AS line FROM audit_log a WHERE action LIKE 'old.%' ORDER BY id`,
  )

  t.equal(await archiveExpiredAudit(knex, { days: 0, archiveDir }), 0, 'retention 0 keeps everything')
  t.equal(await count(knex, 'audit_log'), 4)

  t.equal(await archiveExpiredAudit(knex, { days: 90, archiveDir }), 2, 'two entries older than 90 days moved')
  t.same((await knex('audit_log').orderBy('id').pluck('action')) as string[], ['recent', 'now'], 'newer entries kept')
  const files = readdirSync(archiveDir)
  t.equal(files.length, 1)
  t.match(files[0], /^audit-\d{4}-\d{2}-\d{2}\.ndjson\.gz$/)
  const archived = gunzipSync(readFileSync(path.join(archiveDir, files[0]))).toString('utf8')
  t.equal(
    archived,
    expected.rows.map((r) => `${r.line}\n`).join(''),
    'the archive holds exactly the deleted entries, as stored',
  )

  await knex('audit_log').insert({ action: 'old.three', at: daysAgo(100) })
  t.equal(await archiveExpiredAudit(knex, { days: 90, archiveDir }), 1)
  const lines = gunzipSync(readFileSync(path.join(archiveDir, files[0])))
    .toString('utf8')
    .trim()
    .split('\n')
  t.same(
    lines.map((l) => (JSON.parse(l) as { action: string }).action),
    ['old.one', 'old.two', 'old.three'],
    'a later run appends',
  )
})

t.test('the append-only rule still holds outside the retention task', async (t) => {
  const { knex } = await freshDatabase(t)
  await knex('audit_log').insert({ action: 'keep.me' })
  const refused = async (promise: Promise<unknown>, what: string) => {
    const err = await promise.then(
      () => null,
      (e: Error) => e,
    )
    t.match(err?.message ?? 'accepted', /append-only/, what)
  }
  await refused(knex('audit_log').delete(), 'plain DELETE refused')
  await refused(knex('audit_log').update({ action: 'rewritten' }), 'UPDATE refused')
  await refused(knex.raw('TRUNCATE audit_log'), 'TRUNCATE refused')
  await refused(
    knex.transaction(async (trx) => {
      await trx.raw(`SELECT audit_log_purge(ARRAY[]::bigint[])`)
      await trx('audit_log').delete()
    }),
    'the purge flag does not outlive the purge call',
  )
  t.equal(await count(knex, 'audit_log'), 1)
})

t.test('the maintenance job runs both: expired tokens purged, old audit entries archived then deleted', async (t) => {
  const archiveDir = mkdtempSync(path.join(os.tmpdir(), 'crisp-audit-archive-'))
  t.teardown(() => rmSync(archiveDir, { recursive: true, force: true }))
  const { app, knex } = await buildTestApp(t, {
    env: { CRISP_AUDIT_RETENTION_DAYS: '30', CRISP_AUDIT_ARCHIVE_DIR: archiveDir },
  })
  const [org] = await knex('organizations').insert({ name: 'Maintained' }).returning('id')
  const [user] = await knex('users')
    .insert({ organization_id: org.id, email: 'm@example.org', role: 'viewer' })
    .returning('id')
  await knex('refresh_tokens').insert({
    user_id: user.id,
    family_id: '22222222-2222-4222-8222-222222222222',
    token_hash: 'stale',
    expires_at: new Date(Date.now() - 86_400_000),
  })
  await knex('audit_log').insert({ action: 'ancient', at: new Date(Date.now() - 31 * 86_400_000) })
  await app.jobs.boss.send(QUEUES.maintenance, {})
  // The worker polls its queue; wait (bounded by the test's timeout) until the job has done its work.
  while ((await count(knex, 'refresh_tokens')) > 0 || (await knex('audit_log').where({ action: 'ancient' }).first())) {
    await new Promise((r) => setTimeout(r, 200))
  }
  const files = readdirSync(archiveDir)
  t.equal(files.length, 1)
  t.match(
    gunzipSync(readFileSync(path.join(archiveDir, files[0]))).toString('utf8'),
    /"action": "ancient"/,
    'the entry was archived',
  )
})
