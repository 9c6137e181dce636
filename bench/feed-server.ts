/**
 * The feeds a benchmark ingests, generated and served over HTTP by a process of its own, as a remote feed is:
 * generating a bundle of 1 GB leaves garbage in the heap that made it, and serving it costs buffers and CPU, and
 * in the process whose ingestion is measured both counted in its peak RSS (≈ 40 MB of the `ingest-1gb` figure
 * before this moved out) and its CPU profile.
 */
import { spawn } from 'node:child_process'
import { createReadStream, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { benchIndicator, writeBundle } from './bundle.js'

/** One file the server sends at `/<name>`: an existing file, or a bundle of generated indicators written first. */
export interface FeedFile {
  file: string
  /** Writes `file` first: `count` indicators `benchIndicator(i, descriptionChars)` (bench/bundle.ts). */
  generate?: { count: number; descriptionChars: number }
}

const JOB_VARIABLE = 'BENCH_FEED_SERVER_JOB'
const READY_PREFIX = 'FEED_SERVER '

/** A local HTTP server sending files with an ETag (a `stix-bundle` feed's checkpoint), 1 MiB reads. */
function serveFiles(files: Record<string, string>): Promise<string> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file) return void res.writeHead(404).end()
    const etag = `"${statSync(file).mtimeMs}"`
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end()
    res.writeHead(200, { 'content-type': 'application/json', etag })
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  )
}

/**
 * Starts the feed server process: it writes the generated files (printing how long each took), then serves
 * every file at `/<name>` until `close`. Resolves with its origin once it listens.
 */
export async function startFeedServer(files: Record<string, FeedFile>): Promise<{ origin: string; close(): void }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, [JOB_VARIABLE]: JSON.stringify(files) },
    // Its stdin stays open while this process lives: the server ends with it, even when this one dies.
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith(READY_PREFIX)) {
      console.log(line)
      continue
    }
    // Lines after this one would fill the pipe: nothing more is read, the server prints nothing more.
    return { origin: line.slice(READY_PREFIX.length), close: () => void child.kill() }
  }
  throw new Error(`the feed server exited with ${await exited} before it listened`)
}

async function runFeedServer(files: Record<string, FeedFile>): Promise<void> {
  for (const { file, generate } of Object.values(files)) {
    if (!generate) continue
    const t0 = performance.now()
    await writeBundle(file, generate.count, (i) => benchIndicator(i, generate.descriptionChars))
    const mb = (statSync(file).size / 1e6).toFixed(0)
    const seconds = ((performance.now() - t0) / 1000).toFixed(1)
    console.log(`generated ${generate.count} indicators (${mb} MB) in ${seconds} s`)
  }
  const paths = Object.fromEntries(Object.entries(files).map(([name, { file }]) => [`/${name}`, file]))
  const origin = await serveFiles(paths)
  process.stdin.once('close', () => process.exit(0)).resume()
  console.log(`${READY_PREFIX}${origin}`)
}

// The child process of `startFeedServer`.
const job = process.env[JOB_VARIABLE]
if (job !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  runFeedServer(JSON.parse(job)).catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
