import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { ROOT, testEnv } from '../helper.js'

/** One `crisp start --no-workers` process: an API node as an operator runs it behind a balancer. */
export interface ApiNode {
  name: string
  baseUrl: string
  logFile: string
  /** Every log line so far, for a failure message. */
  log(): string
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))))
    })
    srv.on('error', reject)
  })
}

/**
 * Starts an API node on `databaseUrl` and resolves once it answers `/readyz`; rejects (with its log) when it
 * exits first. Every node gets the same secrets (testEnv) and `env`, as nodes of one platform must.
 */
export async function startApiNode(options: {
  name: string
  databaseUrl: string
  port: number
  env?: Record<string, string>
}): Promise<ApiNode> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `crisp-${options.name}-`))
  const logFile = path.join(dir, 'node.log')
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), 'start', '--no-workers'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...testEnv({
        DATABASE_URL: options.databaseUrl,
        PORT: String(options.port),
        HOST: '127.0.0.1',
        CRISP_DATA_DIR: dir,
        LOG_LEVEL: 'info',
        ...options.env,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = createWriteStream(logFile)
  child.stdout?.pipe(out)
  child.stderr?.pipe(out)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const baseUrl = `http://127.0.0.1:${options.port}`
  const log = () => readFileSync(logFile, 'utf8')
  let gone = false
  void exited.then(() => (gone = true))
  for (;;) {
    if (gone) throw new Error(`${options.name} exited before it was ready:\n${log()}`)
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) break
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    name: options.name,
    baseUrl,
    logFile,
    log,
    async stop() {
      if (!gone) child.kill('SIGTERM')
      await exited
    },
  }
}
