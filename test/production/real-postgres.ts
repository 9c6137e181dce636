import { spawn, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

/** A PostgreSQL cluster of Debian's `postgresql` package, started by a test (not the embedded one). */
export interface RealPostgres {
  /** The server's major version, e.g. `15`. */
  version: string
  port: number
  /** `postgres://postgres:…@127.0.0.1:port/<database>` (default `postgres`). */
  url(database?: string): string
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>
  /** `pg_ctl restart -m <mode>`: every connection is cut, the server is back when this resolves. */
  restart(mode?: 'fast' | 'immediate' | 'smart'): Promise<void>
  /** `pg_ctl stop -m <mode>`: the server is down when this resolves (start it again with `start`). */
  stopServer(mode?: 'fast' | 'immediate' | 'smart'): Promise<void>
  /** Starts a stopped server again. */
  start(): Promise<void>
  /** Stops the server and deletes the cluster. Safe to call twice. */
  destroy(): Promise<void>
}

/** The `bin` folder of the newest installed Debian PostgreSQL (`/usr/lib/postgresql/<v>/bin`), or undefined. */
export function findDebianPostgres(root = '/usr/lib/postgresql'): { binDir: string; version: string } | undefined {
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'postgres')) && existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? { binDir: path.join(root, versions[0], 'bin'), version: versions[0] } : undefined
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

interface RunAs {
  uid: number
  gid: number
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (as core/infra/embedded-postgres.ts does). */
function runAsUser(): RunAs | undefined {
  if (os.userInfo().uid !== 0) return undefined
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' })
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
  }
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  }
}

function run(bin: string, args: string[], runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    // pg_ctl's server keeps its log on a file: nothing of it may hold these pipes open.
    const child = spawn(bin, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited ${code}: ${out.trim()}`)),
    )
  })
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch (err) {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL not ready after ${timeoutMs} ms: ${(err as Error).message}`, { cause: err })
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

/**
 * Starts a throw-away cluster of Debian's PostgreSQL server (found with a glob over `/usr/lib/postgresql/<v>/bin`,
 * so any installed version works) on a free port of 127.0.0.1, with a password, through `pg_ctl` so a test can
 * restart or stop it like an operator would. As root the cluster runs as the `postgres` user. Throws when no
 * server is installed (`.ci/run` installs Debian's `postgresql` package): use `findDebianPostgres()` to skip.
 * The cluster is deleted by `destroy()`; call it in a teardown (a SIGKILLed test leaves the server running).
 *
 * @example
 * const pgsrv = await startRealPostgres()
 * t.teardown(() => pgsrv.destroy())
 * const url = await pgsrv.createDatabase('crisp_prod')
 */
export async function startRealPostgres(
  options: { log?: (line: string) => void; maxConnections?: number } = {},
): Promise<RealPostgres> {
  const found = findDebianPostgres()
  if (!found) throw new Error('no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)')
  const runAs = runAsUser()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-real-pg-'))
  chmodSync(dir, 0o700)
  if (runAs) chownSync(dir, runAs.uid, runAs.gid)
  const pgdata = path.join(dir, 'data')
  const password = randomBytes(18).toString('base64url')
  const pwfile = path.join(dir, 'pwfile')
  writeFileSync(pwfile, password, { mode: 0o600 })
  if (runAs) chownSync(pwfile, runAs.uid, runAs.gid)
  const bin = (name: string) => path.join(found.binDir, name)
  await run(
    bin('initdb'),
    [
      '-D',
      pgdata,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--no-sync',
      '--locale=C',
    ],
    runAs,
  )
  const port = await freePort()
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-k ${dir}`,
    `-c max_connections=${options.maxConnections ?? 200}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ')
  const logFile = path.join(dir, 'server.log')
  const url = (database = 'postgres') =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
  const log = options.log ?? (() => undefined)
  let running = false
  const start = async () => {
    await run(bin('pg_ctl'), ['-D', pgdata, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start'], runAs)
    await waitUntilReady(url(), 30_000)
    running = true
    log(`real PostgreSQL ${found.version} listening on 127.0.0.1:${port}`)
  }
  const stopServer = async (mode: 'fast' | 'immediate' | 'smart' = 'fast') => {
    await run(bin('pg_ctl'), ['-D', pgdata, '-m', mode, '-w', '-t', '60', 'stop'], runAs)
    running = false
  }
  await start()
  let destroyed = false
  return {
    version: found.version,
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
      } finally {
        await client.end()
      }
      return url(name)
    },
    async restart(mode = 'fast') {
      await run(
        bin('pg_ctl'),
        ['-D', pgdata, '-l', logFile, '-o', serverOptions, '-m', mode, '-w', '-t', '60', 'restart'],
        runAs,
      )
      await waitUntilReady(url(), 30_000)
      running = true
      log(`real PostgreSQL restarted (${mode})`)
    },
    stopServer,
    start,
    async destroy() {
      if (destroyed) return
      destroyed = true
      if (running) await stopServer('immediate').catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
