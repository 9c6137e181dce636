import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { ROOT, testEnv } from '../helper.js'

/** A `crisp` child process (an API node or a worker) on a given database, its output kept in a file. */
export interface CrispProcess {
  child: ChildProcess
  /** `http://127.0.0.1:port` of an API node; undefined for a worker. */
  origin?: string
  logFile: string
  /** Every JSON log line written so far. */
  logLines(): { level: number; msg: string; [key: string]: unknown }[]
  alive(): boolean
  kill(signal?: NodeJS.Signals): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

/** The test's environment without tap's (its loader hooks in NODE_OPTIONS slow a child's start-up several-fold). */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('TAP') && !name.startsWith('_TAPJS'),
    ),
  )
}

/** Starts `crisp start --no-workers` (with `port`) or `crisp worker` (without), as an operator would. */
export function startCrisp(
  kind: 'api' | 'worker',
  env: Record<string, string>,
  port?: number,
  options: { ownGroup?: boolean } = {},
): CrispProcess {
  const dir = mkdtempSync(path.join(os.tmpdir(), `crisp-${kind}-`))
  const logFile = path.join(dir, `${kind}.log`)
  const args = kind === 'api' ? ['start', '--no-workers'] : ['worker']
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], {
    cwd: ROOT,
    env: {
      ...plainEnv(),
      ...testEnv({
        CRISP_DATA_DIR: dir,
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        ...(port ? { PORT: String(port) } : {}),
        ...env,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a test can signal it and its children at once, as a terminal's Ctrl-C does.
    detached: options.ownGroup ?? false,
  })
  const log = createWriteStream(logFile)
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const alive = () => child.exitCode === null && child.signalCode === null
  return {
    child,
    origin: port ? `http://127.0.0.1:${port}` : undefined,
    logFile,
    alive,
    logLines() {
      if (!existsSync(logFile)) return []
      return readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
    },
    async kill(signal = 'SIGKILL') {
      if (alive()) child.kill(signal)
      await exited
    },
  }
}

/** Polls `/readyz` until it answers `status` (or the process dies, or `timeoutMs` passes). */
export async function waitForReadiness(node: CrispProcess, status: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!node.alive())
      throw new Error(`${node.logFile}: process exited (${node.child.exitCode ?? node.child.signalCode})`)
    const got = await fetch(`${node.origin}/readyz`).then(
      (r) => r.status,
      () => 0,
    )
    if (got === status) return
    if (Date.now() > deadline) throw new Error(`${node.origin}/readyz still ${got} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
