import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import t from 'tap'
import { startEmbeddedPostgres } from '../../core/infra/embedded-postgres.js'
import { checkOwnedFolder, livePostmaster } from '../../core/infra/embedded-postgres-files.js'
import { embeddedServerSettings } from '../../core/infra/embedded-postgres-settings.js'
import { ROOT, type TestLike } from '../helper.js'
import { freePort } from './faults-processes.js'

/** A data folder the postgres user can enter (so the cluster lives in it, not under /var/lib/crisp). */
function scratch(t: TestLike): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-faults-pg-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    return (await client.query('select 1 as one')).rows[0].one === 1
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

t.test('a durable embedded server runs with the settings sized to this machine', async (t) => {
  const server = await startEmbeddedPostgres({
    dataDir: path.join(scratch(t), 'pg'),
    port: await freePort(),
    throwAway: true,
  })
  t.teardown(() => server.stop())
  const client = new pg.Client({ connectionString: server.adminUrl() })
  await client.connect()
  t.teardown(() => client.end())
  const shown = async (name: string) =>
    (
      await client.query<{ setting: string; unit: string | null }>(
        'SELECT setting, unit FROM pg_settings WHERE name = $1',
        [name],
      )
    ).rows[0]
  for (const setting of embeddedServerSettings()) {
    const [name, value] = setting.split('=')
    const { setting: current, unit } = await shown(name)
    // pg_settings gives memory in its unit (8 kB pages for shared_buffers and effective_cache_size, MB for WAL).
    const mb = unit === '8kB' ? (Number(current) * 8) / 1024 : unit === 'MB' ? Number(current) : NaN
    t.equal(`${mb}MB`, value.replace('2GB', '2048MB'), name)
  }
})

t.test('a supervised embedded server that stops unexpectedly is restarted, with a log line', async (t) => {
  const dataDir = path.join(scratch(t), 'pg')
  const lines: string[] = []
  const server = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    supervise: true,
    throwAway: true,
    ephemeral: true,
    warn: (l) => lines.push(l),
  })
  t.teardown(() => server.stop())
  const pgdata = path.join(dataDir, 'pgdata')
  const first = livePostmaster(pgdata)
  t.ok(first, 'the server runs')
  process.kill(first as number, 'SIGKILL')
  await until('a restart', () => lines.some((l) => l.includes('restarted')))
  t.match(lines[0], /stopped unexpectedly \(SIGKILL\); restarting in 1 s \(attempt 1 of 5\)/)
  t.ok(await answers(server.adminUrl()), 'the restarted server answers')
  t.not(livePostmaster(pgdata), first, 'a new server process')
})

t.test(
  'an orphan left by a SIGKILLed platform is detected and stopped at the next start, with a log line',
  async (t) => {
    const dataDir = path.join(scratch(t), 'pg')
    const port = await freePort()
    const child = spawn(
      process.execPath,
      ['--import=tsx', path.join(ROOT, 'test', 'production', 'faults-embedded-child.ts'), dataDir, String(port)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)))
    })
    child.kill('SIGKILL')
    const pgdata = path.join(dataDir, 'pgdata')
    const orphan = livePostmaster(pgdata)
    t.teardown(() => orphan !== undefined && livePostmaster(pgdata) === orphan && process.kill(orphan, 'SIGQUIT'))
    t.ok(orphan, 'the server outlived its platform')
    const lines: string[] = []
    const server = await startEmbeddedPostgres({ dataDir, port, throwAway: true, warn: (l) => lines.push(l) })
    t.teardown(() => server.stop())
    t.match(
      lines.join('\n'),
      new RegExp(`left by an earlier crash is still running on .*\\(pid ${orphan}\\); stopping it`),
    )
    t.match(lines.join('\n'), /orphaned server .* stopped/)
    t.not(livePostmaster(pgdata), orphan, 'the orphan is gone; a new server runs')
    t.ok(await answers(server.adminUrl()), 'the new server answers')
  },
)

t.test('binaries run as another user live in a folder the platform owns, closed to others', async (t) => {
  const dir = scratch(t)
  const open = path.join(dir, 'open')
  mkdirSync(open, { mode: 0o755 })
  chmodSync(open, 0o755)
  t.throws(() => checkOwnedFolder(open, os.userInfo().uid), /open to other users/)
  t.throws(() => checkOwnedFolder(open, os.userInfo().uid + 1), /is owned by uid/)
  const closed = path.join(dir, 'closed')
  mkdirSync(closed, { mode: 0o700 })
  t.doesNotThrow(() => checkOwnedFolder(closed, os.userInfo().uid))
  if (os.userInfo().uid === 0) {
    const dataDir = path.join(dir, 'pg')
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), throwAway: true, ephemeral: true })
    const binDir = readdirSync(dataDir).find((name) => name.startsWith('bin-'))
    t.ok(binDir, 'a bin-<version> folder beside the cluster')
    const bins = statSync(path.join(dataDir, binDir ?? 'missing'))
    await server.stop()
    t.equal(bins.mode & 0o777, 0o700, 'mode 700')
    t.not(bins.uid, 0, 'owned by the server user')
  }
})
