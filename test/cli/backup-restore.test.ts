import t from 'tap'
import { spawn } from 'node:child_process'
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { gunzipSync, gzipSync } from 'node:zlib'
import { createHash, randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { loadConfig } from '../../config/load.js'
import { createKnex } from '../../core/infra/database.js'
import { createLogger } from '../../core/infra/logger.js'
import { createPlatform } from '../../core/platform.js'
import { loginAs, ROOT, testEnv } from '../helper.js'
import {
  basic,
  buildTaxiiApp,
  createCollection,
  envelope,
  indicator,
  MARK_LEVEL_PLUGINS,
  orgWithUsers,
  TAXII,
} from '../taxii/fixtures.js'

const adminUrl = () => process.env.CRISP_TEST_ADMIN_URL ?? ''
const withDb = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString()
const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-backup-test-'))
t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
// Each `crisp` child process loads the sources through tsx (a few seconds): more than tap's default per file.
t.setTimeout(300_000)

/** `crisp …` as a child process against the database at `url`; resolves with its exit code and output. */
function crisp(args: string[], url: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...testEnv(),
        DATABASE_URL: url,
        CRISP_DATA_DIR: mkdtempSync(path.join(scratch, 'data-')),
        LOG_LEVEL: 'warn',
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

/** An empty database (not cloned from the migrated template), dropped when the test ends. */
async function emptyDatabase(): Promise<string> {
  const name = `crisp_restore_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: adminUrl() })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  return withDb(adminUrl(), name)
}

/** Rows per table of the platform's and pg-boss's schemas (partitions counted through their parent). */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ s: string; n: string }>(
      `SELECT n.nspname AS s, c.relname AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1, 2`,
    )
    const counts: Record<string, number> = {}
    for (const r of rows)
      counts[`${r.s}.${r.n}`] = Number(
        (await client.query<{ c: string }>(`SELECT count(*) AS c FROM "${r.s}"."${r.n}"`)).rows[0].c,
      )
    return counts
  } finally {
    await client.end()
  }
}

t.test(
  'crisp backup, then crisp restore into an empty database, reproduces every row count and a TAXII read byte for byte',
  async (t) => {
    const original = await buildTaxiiApp(t)
    const { app } = original
    const a = await orgWithUsers(app, 'Backup Owner')
    const b = await orgWithUsers(app, 'Backup Reader')
    await loginAs(app, a.viewer) // a refresh token and an audit entry
    const collectionId = await createCollection(app.knex, a.orgId, 'public', 'Backed up')
    const objects = Array.from({ length: 30 }, (_, i) =>
      indicator({ description: `line one\nline "two" ${i} — ünïcode` }),
    )
    const posted = await app.inject({
      method: 'POST',
      url: `/taxii2/api/collections/${collectionId}/objects/`,
      headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(a.publisher) },
      payload: envelope(objects),
    })
    t.equal(posted.statusCode, 202, posted.body)
    await app.knex('feeds').insert({
      organization_id: a.orgId,
      collection_id: collectionId,
      name: 'Nightly',
      source_plugin: 'stix-bundle',
      config: { url: 'https://feeds.example.test/x.json' },
    })
    const read = (target: typeof app) =>
      target.inject({
        url: `/taxii2/api/collections/${collectionId}/objects/?limit=20`,
        headers: { accept: TAXII, authorization: basic(b.viewer) },
      })
    const before = await read(app)
    t.equal(before.statusCode, 200)
    t.equal((before.json() as { objects: unknown[] }).objects.length, 20, 'the read returns a page of objects')

    const file = path.join(scratch, 'crisp.backup')
    const backup = await crisp(['backup', file], original.databaseUrl)
    t.equal(backup.status, 0, backup.stderr)
    t.match(backup.stdout, /backed up \d+ tables, \d+ rows/)
    t.notMatch(backup.stdout + backup.stderr, /postgres:\/\/[^@\s]*:[^@\s]*@/, 'no password in the output')
    const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as {
      tables: Record<string, number>
      sha256: string
    }
    const originalCounts = await rowCounts(original.databaseUrl)
    t.same(Object.keys(manifest.tables).sort(), Object.keys(originalCounts).sort(), 'the backup holds every table')
    for (const table of [
      'public.organizations',
      'public.users',
      'public.stix_objects',
      'public.collection_objects',
      'public.feeds',
      'public.audit_log',
      'public.refresh_tokens',
    ]) {
      if (table in manifest.tables)
        t.equal(manifest.tables[table], originalCounts[table], `${table}: ${originalCounts[table]} rows`)
    }
    t.ok(
      manifest.tables['public.audit_log'] > 0 &&
        manifest.tables['public.users'] >= 4 &&
        manifest.tables['public.feeds'] === 1,
    )
    t.ok(
      Object.keys(manifest.tables).some((k) => k.startsWith('pgboss.')),
      "pg-boss's schema is backed up",
    )

    const target = await emptyDatabase()
    const restore = await crisp(['restore', file], target)
    t.equal(restore.status, 0, restore.stderr)
    t.match(restore.stdout, /row counts and migrations verified/)
    t.same(await rowCounts(target), manifest.tables, 'every table holds as many rows as at the backup')

    const restoredKnex = createKnex(target, { poolMax: 4 })
    const config = loadConfig(testEnv({ PUBLIC_URL: 'https://crisp.example.test' }), ROOT)
    config.plugins = MARK_LEVEL_PLUGINS
    const restored = await createPlatform({
      config,
      knex: restoredKnex,
      databaseUrl: target,
      logger: createLogger({ level: 'silent' }),
      pluginsBaseDir: ROOT,
      firstAdmin: false,
      runWorkers: false,
    })
    t.teardown(() => restored.close())
    const after = await read(restored.app)
    t.equal(after.statusCode, 200)
    t.equal(after.body, before.body, 'the TAXII read is byte for byte the same')
    t.equal(after.headers['x-taxii-date-added-first'], before.headers['x-taxii-date-added-first'])
    t.equal(after.headers['x-taxii-date-added-last'], before.headers['x-taxii-date-added-last'])
    await restored.close()

    const inUse = await rowCounts(target)
    const again = await crisp(['restore', file], target)
    t.equal(again.status, 1, 'a database holding data is refused')
    t.match(again.stderr, /not empty.*--force/)
    t.same(await rowCounts(target), inUse, 'and left as it was')
    const forced = await crisp(['restore', file, '--force'], target)
    t.equal(forced.status, 0, forced.stderr)
    t.same(await rowCounts(target), manifest.tables, '--force replaces the contents with the backup')

    const truncated = path.join(scratch, 'truncated.backup')
    copyFileSync(file, truncated)
    copyFileSync(`${file}.manifest.json`, `${truncated}.manifest.json`)
    truncateSync(truncated, Math.floor(statSync(file).size / 2))
    const empty = await emptyDatabase()
    const refused = await crisp(['restore', truncated], empty)
    t.equal(refused.status, 1)
    t.match(refused.stderr, /damaged or truncated/)
    t.same(await rowCounts(empty), {}, 'the target is untouched: no table created')
    // A file that passes every check but cannot be loaded (one organization twice): the load is one transaction.
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n')
    const orgs = lines.findIndex((l) => l.startsWith('T ') && l.includes('"table":"organizations"'))
    lines.splice(orgs + 2, 0, lines[orgs + 1])
    const tampered = path.join(scratch, 'tampered.backup')
    writeFileSync(tampered, gzipSync(lines.join('\n')))
    const tamperedManifest = {
      ...manifest,
      tables: { ...manifest.tables, 'public.organizations': manifest.tables['public.organizations'] + 1 },
      sha256: createHash('sha256').update(readFileSync(tampered)).digest('hex'),
      bytes: statSync(tampered).size,
    }
    writeFileSync(`${tampered}.manifest.json`, JSON.stringify(tamperedManifest))
    const failed = await crisp(['restore', tampered], empty)
    t.equal(failed.status, 1)
    t.match(failed.stderr, /organizations_pkey/)
    const left = await rowCounts(empty)
    t.same(
      Object.entries(left).filter(
        ([table, n]) =>
          n > 0 &&
          !['public.knex_migrations', 'public.knex_migrations_lock', 'public.trust_levels', 'pgboss.version'].includes(
            table,
          ),
      ),
      [],
      'no row of the backup was kept: the load rolled back whole',
    )
    const noManifest = path.join(scratch, 'lonely.backup')
    copyFileSync(file, noManifest)
    const lonely = await crisp(['restore', noManifest], empty)
    t.equal(lonely.status, 1)
    t.match(lonely.stderr, /manifest/)
  },
)

t.test('--keep keeps the N newest backups of a timestamped name', async (t) => {
  const { databaseUrl } = await buildTaxiiApp(t)
  const dir = mkdtempSync(path.join(scratch, 'keep-'))
  for (const name of ['crisp-20200101T000000Z.backup', 'crisp-20200102T000000Z.backup', 'other.txt']) {
    copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, name))
  }
  const res = await crisp(['backup', dir, '--keep', '2'], databaseUrl)
  t.equal(res.status, 0, res.stderr)
  const left = readdirSync(dir).sort()
  t.equal(left.filter((n) => /^crisp-\d{8}T\d{6}Z\.backup$/.test(n)).length, 2, 'two backups kept')
  t.ok(left.includes('crisp-20200102T000000Z.backup'), 'the newer old one kept')
  t.notOk(left.includes('crisp-20200101T000000Z.backup'), 'the oldest removed')
  t.ok(left.includes('other.txt'), 'files of another name untouched')
  const bad = await crisp(['backup', path.join(dir, 'fixed.backup'), '--keep', '2'], databaseUrl)
  t.equal(bad.status, 2)
})
