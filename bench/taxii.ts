/**
 * TAXII 2.1 serving and ingest over a real local port. Seeds BENCH_TAXII_OBJECTS indicators (default 1,000,000,
 * TLP green) with SQL into one collection, then as a reader of another organization trusted at `medium` (so
 * the whole egress pipeline runs: query with trust join → TLP policy → trust-levels anonymization → envelope)
 * walks 1000-object pages at concurrency 1 and 16 and prints objects/s and p50/p99 page latency; then POSTs
 * BENCH_TAXII_POST objects (default 100,000) in envelopes of 1000 and prints objects/s ingested.
 * Run: npm run bench:taxii   (BENCH_TAXII_OBJECTS=100000 for a quick run)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { startEmbeddedPostgres } from '../core/infra/embedded-postgres.js'
import { createKnex, migrateLatest } from '../core/infra/database.js'
import { createLogger } from '../core/infra/logger.js'
import { createRegistry } from '../core/registry/registry.js'
import { createIdentityCore } from '../core/identity/identity-core.js'
import { hashPassword } from '../core/identity/passwords.js'
import { buildApp } from '../core/app.js'
import { loadConfig } from '../config/load.js'
import { builtinPlugins } from '../plugins/index.js'
import { seedIndicators, makeIndicators } from './taxii-seed.js'

const COUNT = Number(process.env.BENCH_TAXII_OBJECTS ?? 1_000_000)
const POST_COUNT = Number(process.env.BENCH_TAXII_POST ?? 100_000)
const PAGES_PER_WORKER = Number(process.env.BENCH_TAXII_PAGES ?? 40)
const TAXII = 'application/taxii+json;version=2.1'
const PASSWORD = 'Bench-Password-42-Correct'
const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-taxii-'))

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

async function login(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
  if (!res.ok) throw new Error(`login ${res.status} ${await res.text()}`)
  return (await res.json()).accessToken
}

/** Each worker starts at its own slice of the collection (added_after) and follows `next`. */
async function walk(url: string, token: string, workers: number, starts: string[]) {
  const latencies: number[] = []
  let objects = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    let query = `limit=1000&added_after=${starts[w % starts.length]}`
    for (let i = 0; i < PAGES_PER_WORKER; i++) {
      const s = performance.now()
      const res = await fetch(`${url}?${query}`, { headers: { accept: TAXII, authorization: `Bearer ${token}` } })
      const body = await res.json()
      latencies.push(performance.now() - s)
      if (res.status !== 200) throw new Error(`page ${res.status} ${JSON.stringify(body)}`)
      objects += body.objects?.length ?? 0
      if (!body.more) break
      query = `limit=1000&next=${body.next}`
    }
  }))
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  return { objects, seconds, rate: objects / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), pages: latencies.length }
}

async function ingest(url: string, token: string, concurrency: number) {
  const envelopes = Math.ceil(POST_COUNT / 1000)
  let sent = 0
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < envelopes) {
      next++
      const res = await fetch(url, { method: 'POST', headers: { accept: TAXII, 'content-type': TAXII, authorization: `Bearer ${token}` }, body: JSON.stringify({ objects: makeIndicators(1000) }) })
      const status = await res.json()
      if (res.status !== 202 || status.success_count !== 1000) throw new Error(`POST ${res.status} ${JSON.stringify(status).slice(0, 300)}`)
      sent += 1000
    }
  }))
  return sent / ((performance.now() - t0) / 1000)
}

async function main() {
  const pg = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: 55000 + Math.floor(Math.random() * 5000), ephemeral: false })
  const url = pg.adminUrl()
  const knex = createKnex(url, { poolMax: 12 })
  try {
    await migrateLatest(knex)
    const config = loadConfig({ NODE_ENV: 'development', CRISP_DATA_DIR: path.join(scratch, 'data'), LOG_LEVEL: 'warn', CRISP_RATE_LIMIT_AUTHENTICATED: '100000000', CRISP_PLUGINS_FILE: path.resolve('config/plugins.json') }, process.cwd())
    const [{ id: producer }] = await knex('organizations').insert({ name: 'producer' }).returning('id')
    const [{ id: reader }] = await knex('organizations').insert({ name: 'reader' }).returning('id')
    const level = await knex('trust_levels').where({ anonymization_level: 'medium' }).first('id')
    await knex('trust_relationships').insert({ trustor_org_id: producer, trustee_org_id: reader, trust_level_id: level.id })
    const hash = await hashPassword(PASSWORD)
    await knex('users').insert([{ organization_id: producer, email: 'pub@bench.test', role: 'publisher', password_hash: hash }, { organization_id: reader, email: 'reader@bench.test', role: 'viewer', password_hash: hash }])
    const [{ id: collectionId }] = await knex('collections').insert({ organization_id: producer, title: 'bench', visibility: 'trusted' }).returning('id')
    const [{ id: postCollection }] = await knex('collections').insert({ organization_id: producer, title: 'ingest', visibility: 'trusted' }).returning('id')
    const t0 = Date.now()
    await seedIndicators(knex, producer, collectionId, COUNT)
    console.log(`seeded ${COUNT.toLocaleString('en')} indicators in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

    const logger = createLogger({ level: 'warn' })
    const identity = createIdentityCore({ knex })
    const registry = await createRegistry({ builtins: builtinPlugins, pluginsFile: config.plugins, baseDir: process.cwd(), log: logger, secrets: { anonymizationKey: config.secrets.anonymizationKey }, services: { identity: identity.services } })
    const app = await buildApp({ config, knex, databaseUrl: url, registry, identity, runWorkers: true, logger })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const readerToken = await login(base, 'reader@bench.test')
    const objectsUrl = `${base}/taxii2/api/collections/${collectionId}/objects/`
    const { rows } = await knex.raw(`SELECT to_char(date_added AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS d FROM collection_objects
      WHERE collection_id = ? AND seq % ? = 0 ORDER BY seq`, [collectionId, Math.max(1, Math.floor(COUNT / 16))])
    const starts = ['1970-01-01T00:00:00Z', ...rows.map((r: { d: string }) => r.d)].slice(0, 16)
    await walk(objectsUrl, readerToken, 2, starts) // warm-up: JIT, caches, validator compile
    for (const concurrency of [1, 16]) {
      const r = await walk(objectsUrl, readerToken, concurrency, starts)
      console.log(`serve  c=${String(concurrency).padEnd(2)} ${r.pages} pages, ${r.objects.toLocaleString('en')} objects in ${r.seconds.toFixed(1)} s = ${Math.round(r.rate).toLocaleString('en')} objects/s, page p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`)
    }
    const publisherToken = await login(base, 'pub@bench.test')
    for (const concurrency of [1, 4]) {
      const rate = await ingest(`${base}/taxii2/api/collections/${postCollection}/objects/`, publisherToken, concurrency)
      console.log(`ingest c=${concurrency} ${POST_COUNT.toLocaleString('en')} indicators by POST (envelopes of 1000) = ${Math.round(rate).toLocaleString('en')} objects/s`)
    }
    await app.close()
  } finally {
    await knex.destroy().catch(() => undefined)
    await pg.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
