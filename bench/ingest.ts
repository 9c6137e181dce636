/**
 * End-to-end ingestion through the `stix-bundle` feed: a local HTTP server streams a bundle, the feed run
 * fetches, parses, validates, dedupes and stores it in batches (core/feeds/run-feed.ts, the real job code
 * minus pg-boss). Prints objects/s and peak RSS per phase:
 *   1. MITRE ATT&CK for ICS 18.1 (real data, first ingest)
 *   2. a generated bundle of BENCH_INDICATORS indicators (default 1,000,000), first ingest
 *   3. the same bundle again with the ETag checkpoint cleared: the dedupe path
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL. Run: npm run bench:ingest
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { benchDatabase } from './database.js'
import { createKnex, migrateLatest } from '../core/infra/database.js'
import { createLogger } from '../core/infra/logger.js'
import { runFeed } from '../core/feeds/run-feed.js'
import { createSecretBox } from '../core/infra/secret-box.js'
import { randomBytes } from 'node:crypto'
import { storeObjects } from '../core/store/index.js'
import { insertQueuedRun } from '../core/feeds/run-queue.js'
import type { PluginRegistry } from '../core/registry/registry.js'
import stixBundle from '../plugins/feed-stix-bundle/index.js'
import { pluginContext } from '../test/contract/plugin-context.js'
import { indicator } from '../test/feeds/worker-process.js'

const COUNT = Number(process.env.BENCH_INDICATORS ?? 1_000_000)
const BATCH = Number(process.env.BENCH_BATCH ?? 1000)
const ICS = path.resolve(import.meta.dirname, '..', '..', 'shared', 'datasets', 'mitre-attack', 'ics-attack-18.1.json')
const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-ingest-'))

async function generate(file: string, count: number): Promise<void> {
  const out = createWriteStream(file)
  out.write('{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[')
  for (let i = 0; i < count; i++) if (!out.write(`${i ? ',' : ''}${indicator('bench', i)}`)) await once(out, 'drain')
  out.end(']}')
  await once(out, 'finish')
}

function serve(files: Record<string, string>) {
  const server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file) return void res.writeHead(404).end()
    const etag = `"${statSync(file).mtimeMs}"`
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end()
    res.writeHead(200, { 'content-type': 'application/json', etag })
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res)
  })
  return new Promise<{ origin: string; close(): void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  )
}

/** A registry holding only the stix-bundle factory: the bench measures ingestion, not plugin loading. */
const log = createLogger({ level: 'warn' })
const registry = {
  get: () => ({ impl: { configSchema: stixBundle.configSchema, create: async (config: unknown) => stixBundle.create(pluginContext(config as never, { log, egress: { allowPrivate: ['127.0.0.1/32'] } })) } }),
} as unknown as PluginRegistry

async function main() {
  const database = await benchDatabase(scratch)
  const url = database.url
  const knex = createKnex(url, { poolMax: 4 })
  const generated = path.join(scratch, 'indicators.json')
  try {
    await migrateLatest(knex)
    const t0 = Date.now()
    await generate(generated, COUNT)
    console.log(`generated ${COUNT} indicators (${(statSync(generated).size / 1e6).toFixed(0)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const server = await serve({ '/ics.json': ICS, '/indicators.json': generated })
    const [{ id: orgId }] = await knex('organizations').insert({ name: `bench ${Date.now()}` }).returning('id')
    const [{ id: collectionId }] = await knex('collections').insert({ organization_id: orgId, title: 'bench' }).returning('id')
    const feeds = { runTimeout: 3600, retryDelay: 30, batchSize: BATCH, leaseSeconds: 60 }
    const ctx = { knex, registry, storeObjects, feeds, log, secrets: createSecretBox({ current: randomBytes(32).toString('base64url'), variable: 'CRISP_SECRETS_KEY' }) }
    const feedFor = async (name: string, url: string) =>
      (await knex('feeds').insert({ organization_id: orgId, collection_id: collectionId, name, source_plugin: 'stix-bundle', config: JSON.stringify({ url, headers: {}, timeoutMs: 60000 }) }).returning('id'))[0].id as string
    const phase = async (label: string, feedId: string) => {
      const run = (await insertQueuedRun(knex, feedId, 'manual'))!
      let peak = 0
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
      const started = process.hrtime.bigint()
      await runFeed(ctx, run.id, { retryCount: 0, retryLimit: 0 }, new AbortController().signal)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      clearInterval(sampler)
      const r = await knex('feed_runs').where({ id: run.id }).first()
      const rate = Math.round(r.fetched / seconds)
      console.log(`${label.padEnd(28)} ${r.status} ${r.fetched} objects (${r.new_objects} new, ${r.unchanged} unchanged, ${r.rejected} rejected) in ${seconds.toFixed(1)} s = ${rate} objects/s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`)
      return { rate, peak }
    }
    await phase('ICS ATT&CK 18.1', await feedFor('ics', `${server.origin}/ics.json`))
    const bigFeed = await feedFor('indicators', `${server.origin}/indicators.json`)
    await phase(`${COUNT} indicators, first`, bigFeed)
    await knex('feeds').where({ id: bigFeed }).update({ checkpoint: null })
    await phase(`${COUNT} indicators, again`, bigFeed)
    console.log(`process peak RSS (maxRSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, ${os.cpus().length} cores`)
    server.close()
  } finally {
    await knex.destroy()
    await database.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
