/**
 * TAXII 2.1 serving and ingest over a real local port, server and clients in separate processes (as they are
 * in use: the clients' JSON parsing does not share the server's thread). Seeds BENCH_OBJECTS indicators
 * (default 1,000,000; BENCH_TAXII_OBJECTS is the old name; TLP green) with SQL into one collection, starts the
 * platform (`crisp start`, compiled build when present) against that database, then walks pages of 1000 objects
 * (smaller below 32,000 objects, so that every walk still reads pages nobody read before) with 16 clients:
 *   - as a reader of another organization trusted at `medium` (the whole egress pipeline: query with trust join
 *     → TLP policy → trust-levels anonymization → envelope):
 *       first read paced at BENCH_TAXII_RATE objects/s (default 20,000)   → RESULT taxii-paced
 *       first read, closed loop (pages nobody read: every object anonymized, its output stored)
 *                                                                           → RESULT taxii-anonymized-first
 *       repeat read, 1 client and paced (the same pages, from the stored output)
 *       repeat read, closed loop                                            → RESULT taxii-anonymized-repeat
 *   - as the producer's own organization (no anonymization), closed loop    → RESULT taxii-own
 * Each RESULT's limit is a raw keyset page read of as many stored documents as text (at least 50,000)
 * (bench/limits.ts), measured right before the walk; its RSS is the server process's peak during the walk.
 * Then POSTs BENCH_TAXII_POST objects (default 100,000; 0 skips it) in envelopes of 1000 and prints objects/s.
 * Run: npm run bench:taxii   (BENCH_OBJECTS=100000 for a quick run)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmbeddedPostgres } from '../core/infra/embedded-postgres.js'
import { createKnex, migrateLatest } from '../core/infra/database.js'
import { formatTimestampSql } from '../core/infra/sql-timestamp.js'
import { BENCH_PASSWORD, makeIndicators, seedIndicators, seedReaderPair } from './taxii-seed.js'
import { pageReadLimit } from './limits.js'
import { loadAverage, resultLine, rssSampler } from './result.js'

const COUNT = Number(process.env.BENCH_OBJECTS ?? process.env.BENCH_TAXII_OBJECTS ?? 1_000_000)
const POST_COUNT = Number(process.env.BENCH_TAXII_POST ?? 100_000)
const PAGES_PER_WORKER = Number(process.env.BENCH_TAXII_PAGES ?? 30)
/** Offered load of the paced walks, objects/s: the serving target. */
const TARGET_RATE = Number(process.env.BENCH_TAXII_RATE ?? 20_000)
const TAXII = 'application/taxii+json;version=2.1'
const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-taxii-'))

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

async function login(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  })
  if (!res.ok) throw new Error(`login ${res.status} ${await res.text()}`)
  return (await res.json()).accessToken
}

/**
 * Each of `workers` clients starts at its own slice of the collection (added_after) and follows `next` for
 * `pages` pages. Closed loop (no `rate`): each client asks for its next page as soon as it has parsed the last
 * one, i.e. the server's saturation throughput, where latency is just the queue (Little's law: latency =
 * clients / pages per second). With `rate` (objects/s for all clients together), each client asks on a fixed
 * schedule and latency is counted from the scheduled time, not from when the request left (so a slow server
 * is not hidden by requests that started late: no coordinated omission).
 */
async function walk(
  url: string,
  token: string,
  opts: { workers: number; starts: string[]; pages: number; pageSize: number; rate?: number },
) {
  const latencies: number[] = []
  let objects = 0
  const t0 = performance.now()
  const interval = opts.rate ? (opts.workers * opts.pageSize * 1000) / opts.rate : 0
  await Promise.all(
    Array.from({ length: opts.workers }, async (_, w) => {
      let query = `limit=${opts.pageSize}&added_after=${opts.starts[w % opts.starts.length]}`
      const first = t0 + (interval * w) / opts.workers
      for (let i = 0; i < opts.pages; i++) {
        const scheduled = interval ? first + i * interval : performance.now()
        const wait = scheduled - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        const res = await fetch(`${url}?${query}`, { headers: { accept: TAXII, authorization: `Bearer ${token}` } })
        const body = await res.json()
        latencies.push(performance.now() - scheduled)
        if (res.status !== 200) throw new Error(`page ${res.status} ${JSON.stringify(body)}`)
        objects += body.objects?.length ?? 0
        if (!body.more) break
        query = `limit=${opts.pageSize}&next=${body.next}`
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  return {
    objects,
    seconds,
    rate: objects / seconds,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    pages: latencies.length,
  }
}

async function ingest(url: string, token: string, concurrency: number) {
  const envelopes = Math.ceil(POST_COUNT / 1000)
  let sent = 0
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < envelopes) {
        next++
        const res = await fetch(url, {
          method: 'POST',
          headers: { accept: TAXII, 'content-type': TAXII, authorization: `Bearer ${token}` },
          body: JSON.stringify({ objects: makeIndicators(1000) }),
        })
        const status = await res.json()
        if (res.status !== 202 || status.success_count !== 1000)
          throw new Error(`POST ${res.status} ${JSON.stringify(status).slice(0, 300)}`)
        sent += 1000
      }
    }),
  )
  return sent / ((performance.now() - t0) / 1000)
}

/** A free local port. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** `crisp start` in its own process: the compiled build beside this file when there is one, else through tsx. */
async function startPlatform(databaseUrl: string, port: number): Promise<ChildProcess> {
  const compiled = fileURLToPath(new URL('../core/cli/main.js', import.meta.url))
  // BENCH_TAXII_SERVER_ARGS: extra Node options for the server only (e.g. --cpu-prof to profile it).
  const extra = (process.env.BENCH_TAXII_SERVER_ARGS ?? '').split(' ').filter(Boolean)
  const entry = existsSync(compiled)
    ? [compiled]
    : ['--import', 'tsx', fileURLToPath(new URL('../core/cli/main.ts', import.meta.url))]
  const args = [...extra, ...entry, 'start']
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      CRISP_DATA_DIR: path.join(scratch, 'data'),
      LOG_LEVEL: 'warn',
      CRISP_RATE_LIMIT_AUTHENTICATED: '100000000',
    },
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`crisp start exited with ${child.exitCode}`)
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) return child
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('crisp start did not become ready in 60 s')
}

function report(label: string, r: Awaited<ReturnType<typeof walk>>) {
  console.log(
    `${label.padEnd(26)} ${r.pages} pages, ${r.objects.toLocaleString('en')} objects in ${r.seconds.toFixed(1)} s = ${Math.round(r.rate).toLocaleString('en')} objects/s, page p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`,
  )
}

/** Pages per client and objects per page: 30 pages of 1000, fewer and smaller when the collection is small. */
function walkShape(count: number): { pages: number; pageSize: number } {
  const pages = Math.max(1, Math.min(PAGES_PER_WORKER, Math.floor(count / 16 / 1000 / 2)))
  return { pages, pageSize: Math.min(1000, Math.floor(count / 16 / 2 / pages)) }
}

async function main() {
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'pg'),
    port: 55000 + Math.floor(Math.random() * 5000),
    ephemeral: false,
    throwAway: true,
  })
  const url = pg.adminUrl()
  const knex = createKnex(url, { poolMax: 4 })
  let platform: ChildProcess | undefined
  try {
    await migrateLatest(knex)
    const { producer, collectionId } = await seedReaderPair(knex)
    const [{ id: postCollection }] = await knex('collections')
      .insert({ organization_id: producer, title: 'ingest', visibility: 'trusted' })
      .returning('id')
    const t0 = Date.now()
    await seedIndicators(knex, producer, collectionId, COUNT)
    console.log(`seeded ${COUNT.toLocaleString('en')} indicators in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const { pages, pageSize } = walkShape(COUNT)
    // Walk k starts at the k-th sixteenth of the collection, `offset` rows into it.
    const startsAt = async (offset: number) => {
      const starts: string[] = []
      for (let k = 0; k < 16; k++) {
        const row = Math.floor((k * COUNT) / 16) + offset
        if (row === 0) starts.push('1970-01-01T00:00:00Z')
        else
          starts.push(
            (
              await knex.raw<{ rows: { d: string }[] }>(
                `SELECT ${formatTimestampSql('date_added')} AS d FROM collection_objects
          WHERE collection_id = ? ORDER BY date_added, seq OFFSET ? LIMIT 1`,
                [collectionId, row - 1],
              )
            ).rows[0].d,
          )
      }
      return starts
    }
    const [firstHalf, secondHalf] = [await startsAt(0), await startsAt(pages * pageSize)]
    const port = await freePort()
    platform = await startPlatform(url, port)
    const server = platform.pid
    const base = `http://127.0.0.1:${port}`
    const readerToken = await login(base, 'reader@bench.test')
    const ownToken = await login(base, 'pub@bench.test')
    const objectsUrl = `${base}/taxii2/api/collections/${collectionId}/objects/`
    // JIT and connection warm-up on the collection's last pages, which no measured walk reaches (each of the 16
    // walks reads 2 × `pages` pages of its sixteenth), so the first reads below are first reads.
    const {
      rows: [tail],
    } = await knex.raw<{ rows: { d: string }[] }>(
      `SELECT ${formatTimestampSql('date_added')} AS d FROM collection_objects
      WHERE collection_id = ? ORDER BY date_added DESC, seq DESC OFFSET ? LIMIT 1`,
      [collectionId, Math.min(COUNT - 1, 6 * pageSize)],
    )
    await walk(objectsUrl, readerToken, { workers: 2, starts: [tail.d], pages: 3, pageSize })
    await walk(objectsUrl, ownToken, { workers: 2, starts: [tail.d], pages: 3, pageSize })
    const storedCount = async () => Number((await knex('anonymized_objects').count({ c: '*' }))[0].c)
    const storedBefore = await storedCount()
    console.log(`load average ${loadAverage()}; ${pages} pages of ${pageSize} objects per client`)
    /** One walk beside its limit (a raw page read of as many objects, just before) and the server's peak RSS. */
    const measured = async (
      label: string,
      name: string | null,
      token: string,
      opts: { workers: number; starts: string[]; rate?: number },
    ) => {
      const limit = await pageReadLimit(url, opts.workers * pages * pageSize)
      const rss = server === undefined ? null : rssSampler(server)
      const r = await walk(objectsUrl, token, { ...opts, pages, pageSize })
      rss?.stop()
      report(label, r)
      return name
        ? resultLine({ name, objectsPerS: r.rate, limitPerS: limit, p99Ms: r.p99, rssMb: rss?.peakMb() ?? null })
        : null
    }
    const paced = { workers: 16, rate: TARGET_RATE }
    const results = [
      await measured(`first read  c=16 @ ${TARGET_RATE / 1000}k/s`, 'taxii-paced', readerToken, {
        ...paced,
        starts: firstHalf,
      }),
      await measured('first read  c=16 max', 'taxii-anonymized-first', readerToken, {
        workers: 16,
        starts: secondHalf,
      }),
      await measured('repeat read c=1  max', null, readerToken, { workers: 1, starts: firstHalf }),
      await measured(`repeat read c=16 @ ${TARGET_RATE / 1000}k/s`, null, readerToken, { ...paced, starts: firstHalf }),
      await measured('repeat read c=16 max', 'taxii-anonymized-repeat', readerToken, {
        workers: 16,
        starts: secondHalf,
      }),
      await measured('own org     c=16 max', 'taxii-own', ownToken, { workers: 16, starts: firstHalf }),
    ]
    console.log(
      `stored anonymized outputs: ${storedBefore.toLocaleString('en')} before the first read, ${(await storedCount()).toLocaleString('en')} after`,
    )
    if (POST_COUNT > 0) {
      for (const concurrency of [1, 4]) {
        const rate = await ingest(`${base}/taxii2/api/collections/${postCollection}/objects/`, ownToken, concurrency)
        console.log(
          `ingest c=${concurrency} ${POST_COUNT.toLocaleString('en')} indicators by POST (envelopes of 1000) = ${Math.round(rate).toLocaleString('en')} objects/s`,
        )
      }
    }
    console.log(`load average ${loadAverage()}`)
    for (const line of results) if (line) console.log(line)
  } finally {
    if (platform && platform.exitCode === null) {
      platform.kill('SIGTERM')
      await new Promise((resolve) => platform?.once('exit', resolve))
    }
    await knex.destroy().catch(() => undefined)
    await pg.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
