import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, testEnv } from '../helper.js'
import { FIXTURE_EGRESS_ENV, PLUGINS_FILE } from './feed-helper.js'

export interface WorkerProcess {
  child: ChildProcess
  logFile: string
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** Starts `crisp worker` on the test database, as an operator would, with feed settings for tests. */
export function startWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-worker-'))
  const logFile = path.join(dir, 'worker.log')
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...testEnv({
        ...FIXTURE_EGRESS_ENV,
        DATABASE_URL: databaseUrl,
        CRISP_PLUGINS_FILE: PLUGINS_FILE,
        CRISP_DATA_DIR: dir,
        LOG_LEVEL: 'info',
        ...env,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log = createWriteStream(logFile)
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    logFile,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}

/** A valid indicator with a deterministic id, for generated bundles. */
export function indicator(seed: string, i: number): string {
  const hex = (i + 1).toString(16).padStart(12, '0')
  const prefix = Buffer.from(seed).toString('hex').padEnd(8, '0').slice(0, 8)
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const ts = '2024-03-01T09:00:00.000Z'
  return JSON.stringify({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${prefix}-0000-4000-8000-${hex}`,
    created: ts,
    modified: ts,
    name: `ip ${ip}`,
    pattern: `[ipv4-addr:value = '${ip}']`,
    pattern_type: 'stix',
    valid_from: ts,
  })
}

/** Writes a bundle of `count` indicators to `res`, `perChunk` objects every `delayMs`. */
export async function streamBundle(
  res: import('node:http').ServerResponse,
  options: { seed: string; count: number; perChunk?: number; delayMs?: number },
): Promise<void> {
  const { seed, count, perChunk = 1000, delayMs = 0 } = options
  res.writeHead(200, { 'content-type': 'application/json' })
  res.write('{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[')
  for (let i = 0; i < count; i += perChunk) {
    const part: string[] = []
    for (let j = i; j < Math.min(count, i + perChunk); j++) part.push(indicator(seed, j))
    if (!res.write(`${i ? ',' : ''}${part.join(',')}`)) await new Promise((r) => res.once('drain', r))
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
    if (res.destroyed) return
  }
  res.end(']}')
}
