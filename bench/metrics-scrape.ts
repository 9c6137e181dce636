/**
 * `/metrics` under load (issue 14's acceptance: "scraped during a bench shows non-zero counters for every
 * family listed, and is refused without credentials"). Seeds BENCH_METRICS_OBJECTS indicators (default 50,000)
 * shared at trust `medium` with a reader organization, starts `crisp start` with a scrape token, then for
 * BENCH_METRICS_SECONDS (default 10) runs side by side: TAXII page walks by the reader (anonymized), REST
 * publishing, direct CSV exports, background export jobs (a queue backlog) and failed logins, after a
 * stix-bundle feed run from a local server. Halfway through it scrapes `/metrics` and prints each listed family's non-zero
 * series; exit code 1 when a family is all zero or an unauthenticated scrape is not refused.
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL. Run: npm run bench:metrics
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchDatabase } from './database.js'
import { createKnex, migrateLatest } from '../core/infra/database.js'
import { BENCH_PASSWORD, makeIndicators, seedIndicators, seedReaderPair } from './taxii-seed.js'

const COUNT = Number(process.env.BENCH_METRICS_OBJECTS ?? 50_000)
const SECONDS = Number(process.env.BENCH_METRICS_SECONDS ?? 10)
const FAMILIES = [
  'crisp_http_requests_total',
  'crisp_http_request_duration_seconds_count',
  'crisp_objects_ingested_total',
  'crisp_objects_served_total',
  'crisp_objects_exported_total',
  'crisp_objects_anonymized_total',
  'crisp_feed_runs_total',
  'crisp_queue_depth',
  'crisp_queue_oldest_job_age_seconds',
  'crisp_login_failures_total',
  'crisp_db_pool_connections',
  'crisp_process_cpu_seconds_total',
]
const TAXII = 'application/taxii+json;version=2.1'
const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-metrics-'))

/** Non-zero samples per family (histograms by their `_count`). */
function nonZero(text: string): Map<string, number> {
  const found = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line)
    if (m && Number(m[2]) > 0) found.set(m[1], (found.get(m[1]) ?? 0) + 1)
  }
  return found
}

async function main() {
  const db = await benchDatabase(scratch)
  const knex = createKnex(db.url, { poolMax: 4 })
  const bundle = JSON.stringify({
    type: 'bundle',
    id: 'bundle--6f1a3c1e-2f3b-4a51-9c55-0d6c1e0b7a10',
    objects: makeIndicators(2000),
  })
  const feedServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(bundle))
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve))
  const port = 20000 + Math.floor(Math.random() * 20000)
  const token = randomBytes(32).toString('base64url')
  let platform: ReturnType<typeof spawn> | undefined
  let failed = false
  try {
    await migrateLatest(knex)
    const { producer, collectionId } = await seedReaderPair(knex)
    await seedIndicators(knex, producer, collectionId, COUNT)

    platform = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('../core/cli/main.ts', import.meta.url)), 'start'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          NODE_ENV: 'development',
          DATABASE_URL: db.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          CRISP_DATA_DIR: path.join(scratch, 'data'),
          CRISP_METRICS_TOKEN: token,
          CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32',
          CRISP_RATE_LIMIT_AUTHENTICATED: '100000000',
          CRISP_RATE_LIMIT_ANONYMOUS: '100000000',
        },
      },
    )
    const base = `http://127.0.0.1:${port}`
    for (
      let i = 0;
      !(await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    ) {
      if (i > 600 || platform.exitCode !== null) throw new Error('crisp start did not become ready')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const login = async (email: string) =>
      (
        await (
          await fetch(`${base}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: BENCH_PASSWORD }),
          })
        ).json()
      ).accessToken as string
    const auth = (t: string) => ({
      authorization: `Bearer ${t}`,
      'content-type': 'application/json',
      accept: 'application/json',
    })
    const [pub, viewer] = [await login('pub@bench.test'), await login('reader@bench.test')]
    const refused = (await fetch(`${base}/metrics`)).status
    console.log(`/metrics without credentials: ${refused}`)
    if (refused !== 401) failed = true

    const feed = await (
      await fetch(`${base}/api/v1/feeds`, {
        method: 'POST',
        headers: auth(pub),
        body: JSON.stringify({
          name: 'bench feed',
          source: 'stix-bundle',
          config: { url: `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/bundle.json` },
          collectionId,
          defaultTlp: 'green',
        }),
      })
    ).json()
    await fetch(`${base}/api/v1/feeds/${feed.id}/run`, { method: 'POST', headers: { authorization: `Bearer ${pub}` } })
    // The feed run finishes before the load starts: its outcome is counted whatever the machine's speed.
    for (
      let i = 0;
      !(await knex('feed_runs')
        .where({ feed_id: feed.id })
        .whereIn('status', ['succeeded', 'partial', 'failed'])
        .first());
      i++
    ) {
      if (i > 600) throw new Error('the feed run did not finish in 60 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    const until = Date.now() + SECONDS * 1000
    const loop = (fn: () => Promise<unknown>) =>
      (async () => {
        while (Date.now() < until) await fn()
      })()
    const taxiiUrl = `${base}/taxii2/api/collections/${collectionId}/objects/?limit=1000`
    let next = ''
    const load = Promise.all([
      ...Array.from({ length: 4 }, () =>
        loop(async () => {
          const page = await (
            await fetch(next ? `${taxiiUrl}&next=${next}` : taxiiUrl, {
              headers: { accept: TAXII, authorization: `Bearer ${viewer}` },
            })
          ).json()
          next = page.more ? page.next : ''
        }),
      ),
      loop(() =>
        fetch(`${base}/api/v1/collections/${collectionId}/bundles`, {
          method: 'POST',
          headers: auth(pub),
          body: JSON.stringify({
            type: 'bundle',
            id: 'bundle--0f4b8c52-8d7e-4c3a-9d55-6a1f2b3c4d5e',
            objects: makeIndicators(100),
          }),
        }).then((r) => r.arrayBuffer()),
      ),
      loop(() => fetch(`${base}/api/v1/exports/csv`, { headers: auth(viewer) }).then((r) => r.arrayBuffer())),
      loop(async () => {
        // Background export jobs faster than one worker takes them: a queue backlog.
        await fetch(`${base}/api/v1/exports`, {
          method: 'POST',
          headers: auth(pub),
          body: JSON.stringify({ format: 'stix-bundle' }),
        })
        await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@bench.test', password: 'wrong-password-1234' }),
        })
        await new Promise((resolve) => setTimeout(resolve, 200))
      }),
    ])
    await new Promise((resolve) => setTimeout(resolve, (SECONDS * 1000) / 2))
    const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    const found = nonZero(await scraped.text())
    console.log(`/metrics with the scrape token, mid-load: ${scraped.status}`)
    for (const family of FAMILIES) console.log(`  ${family.padEnd(44)} ${found.get(family) ?? 0} non-zero series`)
    const missing = FAMILIES.filter((f) => !found.has(f))
    console.log(
      `${FAMILIES.length - missing.length} of ${FAMILIES.length} families non-zero${missing.length ? `; zero: ${missing.join(', ')}` : ''}`,
    )
    if (missing.length) failed = true
    await load
  } finally {
    if (platform && platform.exitCode === null) {
      platform.kill('SIGTERM')
      await new Promise((resolve) => platform?.once('exit', resolve))
    }
    feedServer.close()
    await knex.destroy().catch(() => undefined)
    await db.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
  if (failed) process.exit(1)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
