/**
 * TAXII 2.1 serving and ingest over a real local port, server and clients in separate processes (as they are
 * in use: the clients' JSON parsing does not share the server's thread). Seeds BENCH_OBJECTS indicators
 * (default 1,000,000; BENCH_TAXII_OBJECTS is the old name; TLP green) with SQL into one collection, in two steps,
 * against the platform (`crisp start`, compiled build when present, with production's V8 options,
 * bench/platform-flags.ts):
 *   1. the oldest half is seeded, then its `anonymize.prefill` is enqueued as an ingest enqueues it and the
 *      platform's worker runs it (with the continuations it enqueues) to the end   → RESULT anonymize-prefill
 *      (objects filled per second from the first job's start to the last one's end; its limit is a raw page
 *      read of as many objects, its RSS the server's peak meanwhile);
 *   2. the other half is seeded afterwards: no ingest, so no prefill, and nobody has read it.
 * Before the prefill, the JIT and the connections are warmed up on 6 pages of a collection of their own.
 * Then 16 clients walk pages of 1000 objects (smaller below 64,000 objects, so that every walk still reads
 * pages nobody read before), each from its own sixteenth of a region:
 *   - as a reader of another organization trusted at `medium` (the whole egress pipeline: query with trust join
 *     → TLP policy → trust-levels anonymization → envelope). A first read of the prefilled half is what a
 *     partner's first read costs on a platform that ran its prefill (the figures); a cold read (pages
 *     nobody read and no prefill reached: every object anonymized, its output stored) is what it costs when
 *     the reader comes before the prefill:
 *       first read of prefilled pages, paced at BENCH_TAXII_RATE objects/s (default 20,000)
 *                                                                           → RESULT taxii-paced
 *       first read of prefilled pages, closed loop                          → RESULT taxii-anonymized-first
 *       cold first read, paced                                              → RESULT taxii-paced-cold
 *       cold first read, closed loop                                        → RESULT taxii-anonymized-cold
 *       repeat read of the cold paced pages, 1 client and paced (from the stored output)
 *       repeat read of the cold closed-loop pages, closed loop             → RESULT taxii-anonymized-repeat
 *   - as the producer's own organization (no anonymization), closed loop    → RESULT taxii-own
 * Each walk's limit is a raw keyset page read of as many stored documents as text (at least 50,000)
 * (bench/limits.ts), measured right before the walk; its RSS is the server process's peak during the walk. A
 * page's latency runs from the time it was due (paced walks) or sent to its body parsed by the client; the p99 to
 * its last byte, before the parse, is printed beside it.
 * Then POSTs BENCH_TAXII_POST objects (default 100,000; 0 skips it) in envelopes of 1000 and prints objects/s.
 * BENCH_TAXII_SERVERS=n (default 1) starts n platform processes on one database (the "several API
 * processes"): client k talks to server k mod n, the prefill jobs go to whichever worker takes them, and each
 * walk's RSS is the sum of the servers' peaks.
 * Run: npm run bench:taxii   (BENCH_OBJECTS=100000 for a quick run)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmbeddedPostgres } from '../core/infra/embedded-postgres.js'
import type { Knex } from 'knex'
import PgBoss from 'pg-boss'
import { createKnex, migrateLatest } from '../core/infra/database.js'
import { createEnqueue } from '../core/infra/enqueue.js'
import { enqueuePrefill } from '../core/sharing/prefill.js'
import { formatTimestampSql } from '../core/infra/sql-timestamp.js'
import { BENCH_PASSWORD, makeIndicators, seedIndicators, seedReaderPair } from './taxii-seed.js'
import { pageReadLimit } from './limits.js'
import { freePort } from './free-port.js'
import { platformV8Flags } from './platform-flags.js'
import { loadAverage, resultLine, rssSampler } from './result.js'

const COUNT = Number(process.env.BENCH_OBJECTS ?? process.env.BENCH_TAXII_OBJECTS ?? 1_000_000)
const POST_COUNT = Number(process.env.BENCH_TAXII_POST ?? 100_000)
const PAGES_PER_WORKER = Number(process.env.BENCH_TAXII_PAGES ?? 30)
/** Offered load of the paced walks, objects/s: the serving target. */
const TARGET_RATE = Number(process.env.BENCH_TAXII_RATE ?? 20_000)
const SERVERS = Number(process.env.BENCH_TAXII_SERVERS ?? 1)
if (!Number.isInteger(SERVERS) || SERVERS < 1) throw new Error('BENCH_TAXII_SERVERS: a whole number of at least 1')
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
  urls: string[],
  token: string,
  opts: { workers: number; starts: string[]; pages: number; pageSize: number; rate?: number },
) {
  const latencies: number[] = []
  // The same pages to their last byte, before this process parses them: the server's share of the latency (the
  // sixteen clients share this process's one thread, so a page can also wait for another's parse).
  const toLastByte: number[] = []
  let objects = 0
  const t0 = performance.now()
  const interval = opts.rate ? (opts.workers * opts.pageSize * 1000) / opts.rate : 0
  await Promise.all(
    Array.from({ length: opts.workers }, async (_, w) => {
      const url = urls[w % urls.length]
      let query = `limit=${opts.pageSize}&added_after=${opts.starts[w % opts.starts.length]}`
      const first = t0 + (interval * w) / opts.workers
      for (let i = 0; i < opts.pages; i++) {
        const scheduled = interval ? first + i * interval : performance.now()
        const wait = scheduled - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        const res = await fetch(`${url}?${query}`, { headers: { accept: TAXII, authorization: `Bearer ${token}` } })
        const text = await res.text()
        toLastByte.push(performance.now() - scheduled)
        const body = JSON.parse(text)
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
  toLastByte.sort((a, b) => a - b)
  return {
    objects,
    seconds,
    rate: objects / seconds,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    lastByteP99: pct(toLastByte, 99),
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

/** `crisp start` in its own process: the compiled build beside this file when there is one, else through tsx. */
async function startPlatform(databaseUrl: string, port: number): Promise<ChildProcess> {
  const compiled = fileURLToPath(new URL('../core/cli/main.js', import.meta.url))
  // BENCH_TAXII_SERVER_ARGS: extra Node options for the server only (e.g. --cpu-prof to profile it).
  const extra = (process.env.BENCH_TAXII_SERVER_ARGS ?? '').split(' ').filter(Boolean)
  const entry = existsSync(compiled)
    ? [compiled]
    : ['--import', 'tsx', fileURLToPath(new URL('../core/cli/main.ts', import.meta.url))]
  // Production's V8 options first (bench/platform-flags.ts), so that the extra ones can override them.
  const args = [...platformV8Flags(), ...extra, ...entry, 'start']
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
    `${label.padEnd(26)} ${r.pages} pages, ${r.objects.toLocaleString('en')} objects in ${r.seconds.toFixed(1)} s = ${Math.round(r.rate).toLocaleString('en')} objects/s, page p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms (to the last byte ${r.lastByteP99.toFixed(0)} ms)`,
  )
}

/** Pages per client and objects per page: 30 pages of 1000, fewer and smaller when the collection is small. */
function walkShape(count: number): { pages: number; pageSize: number } {
  // Four walks read pages nobody read: two in the prefilled half, two in the cold half.
  const pages = Math.max(1, Math.min(PAGES_PER_WORKER, Math.floor(count / 16 / 1000 / 4)))
  return { pages, pageSize: Math.min(1000, Math.floor(count / 16 / 4 / pages)) }
}

/** The `date_added` just before the membership `row` rows (0-based) into the collection, as an `added_after`. */
async function addedAfterRow(knex: Knex, collectionId: string, row: number): Promise<string> {
  if (row === 0) return '1970-01-01T00:00:00Z'
  const { rows } = await knex.raw<{ rows: { d: string }[] }>(
    `SELECT ${formatTimestampSql('date_added')} AS d FROM collection_objects
      WHERE collection_id = ? ORDER BY date_added, seq OFFSET ? LIMIT 1`,
    [collectionId, row - 1],
  )
  return rows[0].d
}

/** The 16 walks' starts in the rows [from, from + length): the k-th sixteenth, `offset` rows into it. */
async function regionStarts(knex: Knex, collectionId: string, from: number, length: number, offset: number) {
  const starts: string[] = []
  for (let k = 0; k < 16; k++)
    starts.push(await addedAfterRow(knex, collectionId, from + Math.floor((k * length) / 16) + offset))
  return starts
}

/**
 * Enqueues `anonymize.prefill` of the collection as an ingest does (core/sharing/prefill.ts, in a transaction,
 * through pg-boss's `send` on it) and waits until the platform's worker and the continuations it enqueues have
 * finished. Returns the seconds from the first job's start to the last one's end, and the jobs run.
 */
async function runPrefill(knex: Knex, url: string, collectionId: string): Promise<{ seconds: number; jobs: number }> {
  // Not started: only `send` is used, on the caller's transaction (the running platform does the rest).
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss' })
  await knex.transaction((trx) =>
    enqueuePrefill(trx, { enqueue: createEnqueue(boss) }, collectionId, [{ status: 'new' }]),
  )
  for (let i = 0; i < 6000; i++) {
    const {
      rows: [jobs],
    } = await knex.raw<{ rows: { pending: string; failed: string; done: string; seconds: number | null }[] }>(
      `SELECT count(*) FILTER (WHERE state IN ('created', 'retry', 'active')) AS pending,
              count(*) FILTER (WHERE state = 'failed') AS failed, count(*) FILTER (WHERE state = 'completed') AS done,
              extract(epoch FROM max(completed_on) - min(started_on))::float8 AS seconds
         FROM pgboss.job WHERE name = 'anonymize.prefill'`,
    )
    if (Number(jobs.failed) > 0) throw new Error('an anonymize.prefill job failed (see the server log)')
    if (Number(jobs.pending) === 0 && jobs.seconds !== null) return { seconds: jobs.seconds, jobs: Number(jobs.done) }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the prefill did not finish in 10 minutes')
}

async function main() {
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(scratch, 'pg'),
    port: await freePort(),
    ephemeral: false,
    throwAway: true,
  })
  const url = pg.adminUrl()
  const knex = createKnex(url, { poolMax: 4 })
  const platforms: ChildProcess[] = []
  try {
    await migrateLatest(knex)
    const { producer, collectionId } = await seedReaderPair(knex)
    const [{ id: postCollection }, { id: warmCollection }] = await knex('collections')
      .insert([
        { organization_id: producer, title: 'ingest', visibility: 'trusted' },
        { organization_id: producer, title: 'warm-up', visibility: 'trusted' },
      ])
      .returning('id')
    const { pages, pageSize } = walkShape(COUNT)
    const slot = pages * pageSize
    // The oldest half is prefilled by the platform; the rest is added afterwards by SQL (no ingest, so no
    // prefill job): pages nobody read and no prefill reached. The warm-up reads a collection of its own.
    const prefilled = Math.floor(COUNT / 2)
    const cold = COUNT - prefilled
    const warm = 6 * pageSize
    const t0 = Date.now()
    await seedIndicators(knex, producer, collectionId, prefilled)
    await seedIndicators(knex, producer, warmCollection, warm, prefilled)
    console.log(
      `seeded ${(prefilled + warm).toLocaleString('en')} indicators in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    )
    // One after the other: the first writes the generated secrets the others then read (a token from one verifies on all).
    const bases: string[] = []
    for (let i = 0; i < SERVERS; i++) {
      const port = await freePort()
      platforms.push(await startPlatform(url, port))
      bases.push(`http://127.0.0.1:${port}`)
    }
    const base = bases[0]
    /** The servers' summed peak RSS over a phase. */
    const serversRss = () => {
      const samplers = platforms.flatMap((p) => (p.pid === undefined ? [] : [rssSampler(p.pid)]))
      return {
        stop: () => samplers.forEach((s) => s.stop()),
        peakMb: () => (samplers.length ? samplers.reduce((sum, s) => sum + s.peakMb(), 0) : null),
      }
    }
    const storedCount = async () => Number((await knex('anonymized_objects').count({ c: '*' }))[0].c)
    const readerToken = await login(base, 'reader@bench.test')
    const ownToken = await login(base, 'pub@bench.test')
    const objectsUrls = bases.map((b) => `${b}/taxii2/api/collections/${collectionId}/objects/`)
    // JIT and connection warm-up, before the prefill too (a running platform has served pages before).
    const warmUrls = bases.map((b) => `${b}/taxii2/api/collections/${warmCollection}/objects/`)
    const warmWorkers = 2 * SERVERS
    await walk(warmUrls, readerToken, { workers: warmWorkers, starts: ['1970-01-01T00:00:00Z'], pages: 3, pageSize })
    await walk(warmUrls, ownToken, { workers: warmWorkers, starts: ['1970-01-01T00:00:00Z'], pages: 3, pageSize })

    console.log(`load average ${loadAverage()}; prefill of ${prefilled.toLocaleString('en')} objects`)
    const prefillLimit = await pageReadLimit(url, prefilled)
    const storedBeforePrefill = await storedCount()
    const prefillRss = serversRss()
    const prefillStarted = performance.now()
    const prefill = await runPrefill(knex, url, collectionId)
    prefillRss.stop()
    const filled = (await storedCount()) - storedBeforePrefill
    console.log(
      `prefill                    ${prefill.jobs} jobs, ${filled.toLocaleString('en')} outputs stored in ${prefill.seconds.toFixed(1)} s of jobs (${((performance.now() - prefillStarted) / 1000).toFixed(1)} s from the enqueue) = ${Math.round(prefilled / prefill.seconds).toLocaleString('en')} objects/s`,
    )
    if (filled < prefilled) throw new Error(`the prefill stored ${filled} of ${prefilled} outputs`)
    const prefillResult = resultLine({
      name: 'anonymize-prefill',
      objectsPerS: prefilled / prefill.seconds,
      limitPerS: prefillLimit,
      p99Ms: null,
      rssMb: prefillRss.peakMb(),
    })

    const t1 = Date.now()
    await seedIndicators(knex, producer, collectionId, cold, prefilled + warm)
    console.log(
      `seeded ${cold.toLocaleString('en')} more indicators (not prefilled) in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
    )
    const pacedStarts = await regionStarts(knex, collectionId, 0, prefilled, 0)
    const firstStarts = await regionStarts(knex, collectionId, 0, prefilled, slot)
    const pacedColdStarts = await regionStarts(knex, collectionId, prefilled, cold, 0)
    const coldStarts = await regionStarts(knex, collectionId, prefilled, cold, slot)
    const storedBefore = await storedCount()
    console.log(
      `load average ${loadAverage()}; ${pages} pages of ${pageSize} objects per client; ${SERVERS} server process(es)`,
    )
    /** One walk beside its limit (a raw page read of as many objects, just before) and the server's peak RSS. */
    const measured = async (
      label: string,
      name: string | null,
      token: string,
      opts: { workers: number; starts: string[]; rate?: number },
    ) => {
      const limit = await pageReadLimit(url, opts.workers * slot)
      const rss = serversRss()
      const r = await walk(objectsUrls, token, { ...opts, pages, pageSize })
      rss.stop()
      report(label, r)
      return name
        ? resultLine({ name, objectsPerS: r.rate, limitPerS: limit, p99Ms: r.p99, rssMb: rss.peakMb() })
        : null
    }
    const paced = { workers: 16, rate: TARGET_RATE }
    const results = [
      prefillResult,
      await measured(`first read  c=16 @ ${TARGET_RATE / 1000}k/s`, 'taxii-paced', readerToken, {
        ...paced,
        starts: pacedStarts,
      }),
      await measured('first read  c=16 max', 'taxii-anonymized-first', readerToken, {
        workers: 16,
        starts: firstStarts,
      }),
      await measured(`cold read   c=16 @ ${TARGET_RATE / 1000}k/s`, 'taxii-paced-cold', readerToken, {
        ...paced,
        starts: pacedColdStarts,
      }),
      await measured('cold read   c=16 max', 'taxii-anonymized-cold', readerToken, { workers: 16, starts: coldStarts }),
      await measured('repeat read c=1  max', null, readerToken, { workers: 1, starts: pacedColdStarts }),
      await measured(`repeat read c=16 @ ${TARGET_RATE / 1000}k/s`, null, readerToken, {
        ...paced,
        starts: pacedColdStarts,
      }),
      await measured('repeat read c=16 max', 'taxii-anonymized-repeat', readerToken, {
        workers: 16,
        starts: coldStarts,
      }),
      await measured('own org     c=16 max', 'taxii-own', ownToken, { workers: 16, starts: firstStarts }),
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
    for (const platform of platforms) {
      if (platform.exitCode !== null) continue
      platform.kill('SIGTERM')
      await new Promise((resolve) => platform.once('exit', resolve))
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
