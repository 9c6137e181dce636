/**
 * End-to-end ingestion through the `stix-bundle` feed: a local HTTP server streams a bundle, the platform's
 * feed-run code (core/feeds/run-feed.ts, the real job code minus pg-boss, in a platform built by
 * `createPlatform`) fetches, parses, validates, dedupes and stores it in batches. Phases:
 *   1. MITRE ATT&CK for ICS 18.1 (real data, first ingest), when ../shared/datasets has it
 *   2. the physical limit: `COPY` of the same rows as phase 3 into staging tables (bench/limits.ts)
 *   3. a generated bundle of BENCH_OBJECTS indicators (default 1,000,000; BENCH_INDICATORS is the old name),
 *      first ingest                                   → RESULT ingest-first
 *   4. the same bundle again with the ETag checkpoint cleared: the dedupe path → RESULT ingest-repeat
 * The platform runs under production's V8 options (bench/platform-flags.ts). BENCH_BATCH sets the batch size.
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL.
 * Run: npm run bench:ingest
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchDatabase } from './database.js'
import { benchPlatform } from './platform.js'
import { relaunchWithPlatformFlags } from './platform-flags.js'
import { feedRunner } from './feed-run.js'
import { startFeedServer, type FeedFile } from './feed-server.js'
import { copyLimit } from './limits.js'
import { loadAverage, resultLine } from './result.js'
import { projectPath } from '../core/project-root.js'

const COUNT = Number(process.env.BENCH_OBJECTS ?? process.env.BENCH_INDICATORS ?? 1_000_000)
const BATCH = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined
const ICS = path.resolve(projectPath(), '..', 'shared', 'datasets', 'mitre-attack', 'ics-attack-18.1.json')

async function main() {
  if (await relaunchWithPlatformFlags()) return
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-ingest-'))
  const database = await benchDatabase(scratch)
  try {
    const platform = await benchPlatform(database.url, scratch)
    const files: Record<string, FeedFile> = {
      'indicators.json': {
        file: path.join(scratch, 'indicators.json'),
        generate: { count: COUNT, descriptionChars: 0 },
      },
    }
    if (existsSync(ICS)) files['ics.json'] = { file: ICS }
    const server = await startFeedServer(files)
    try {
      const feeds = await feedRunner(platform, { batchSize: BATCH })
      try {
        if (files['ics.json'])
          console.log(
            `${'ICS ATT&CK 18.1'.padEnd(28)} ${(await feeds.run(await feeds.addFeed('ics', `${server.origin}/ics.json`))).summary}`,
          )
        console.log(`load average ${loadAverage()}`)
        const limit = await copyLimit(database.url, {
          count: COUNT,
          descriptionChars: 0,
          producerOrg: feeds.organizationId,
          collectionId: feeds.collectionId,
          tlp: 'green',
        })
        console.log(`${`${COUNT} rows by COPY (limit)`.padEnd(28)} ${Math.round(limit).toLocaleString('en')} objects/s`)
        const bigFeed = await feeds.addFeed('indicators', `${server.origin}/indicators.json`)
        const first = await feeds.run(bigFeed)
        console.log(`${`${COUNT} indicators, first`.padEnd(28)} ${first.summary}`)
        await feeds.clearCheckpoint(bigFeed)
        const again = await feeds.run(bigFeed)
        console.log(`${`${COUNT} indicators, again`.padEnd(28)} ${again.summary}`)
        for (const r of [first, again])
          if (r.status !== 'succeeded' || r.fetched !== COUNT)
            throw new Error(`a run ended ${r.status} with ${r.fetched} of ${COUNT} objects`)
        console.log(`load average ${loadAverage()}, ${os.cpus().length} cores`)
        console.log(
          resultLine({
            name: 'ingest-first',
            objectsPerS: first.objectsPerS,
            limitPerS: limit,
            p99Ms: null,
            rssMb: first.peakRssMb,
          }),
        )
        console.log(
          resultLine({
            name: 'ingest-repeat',
            objectsPerS: again.objectsPerS,
            limitPerS: limit,
            p99Ms: null,
            rssMb: again.peakRssMb,
          }),
        )
      } finally {
        server.close()
      }
    } finally {
      await platform.close()
    }
  } finally {
    await database.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
