/**
 * A bundle of about 1 GB through the `stix-bundle` feed, in a platform built by `createPlatform` (issue 18: it
 * must be ingested in < 300 MB RSS). The bundle holds BENCH_OBJECTS indicators of ≈ 1 KB each (default
 * 1,000,000 ≈ 1 GB; fewer for a quick run), generated to disk and streamed by a local HTTP server; the feed run
 * streams it too, so the process's peak RSS should not grow with the bundle. The limit is `COPY` of the same
 * rows (bench/limits.ts). The platform runs under production's V8 options (bench/platform-flags.ts). Ends with
 * `RESULT ingest-1gb …`. Run: npm run bench:ingest-1gb
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { benchDatabase } from './database.js'
import { benchPlatform } from './platform.js'
import { relaunchWithPlatformFlags } from './platform-flags.js'
import { feedRunner } from './feed-run.js'
import { startFeedServer } from './feed-server.js'
import { copyLimit } from './limits.js'
import { loadAverage, resultLine } from './result.js'

const COUNT = Number(process.env.BENCH_OBJECTS ?? 1_000_000)
/** Description length that makes an indicator ≈ 1 KB of JSON, so 1,000,000 of them make ≈ 1 GB. */
const DESCRIPTION_CHARS = 580

async function main() {
  if (await relaunchWithPlatformFlags()) return
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-ingest-1gb-'))
  const database = await benchDatabase(scratch)
  try {
    const platform = await benchPlatform(database.url, scratch)
    const server = await startFeedServer({
      'bundle.json': {
        file: path.join(scratch, 'bundle.json'),
        generate: { count: COUNT, descriptionChars: DESCRIPTION_CHARS },
      },
    })
    try {
      const feeds = await feedRunner(platform)
      try {
        console.log(`load average ${loadAverage()}`)
        const limit = await copyLimit(database.url, {
          count: COUNT,
          descriptionChars: DESCRIPTION_CHARS,
          producerOrg: feeds.organizationId,
          collectionId: feeds.collectionId,
          tlp: 'green',
        })
        console.log(`${`${COUNT} rows by COPY (limit)`.padEnd(28)} ${Math.round(limit).toLocaleString('en')} objects/s`)
        const run = await feeds.run(await feeds.addFeed('bundle', `${server.origin}/bundle.json`))
        console.log(`${`${COUNT} indicators of ≈ 1 KB`.padEnd(28)} ${run.summary}`)
        if (run.status !== 'succeeded' || run.fetched !== COUNT)
          throw new Error(`the run ended ${run.status} with ${run.fetched} of ${COUNT} objects`)
        console.log(
          `load average ${loadAverage()}, process peak RSS (maxRSS) ${((process.resourceUsage().maxRSS * 1024) / 1e6).toFixed(0)} MB`,
        )
        console.log(
          resultLine({
            name: 'ingest-1gb',
            objectsPerS: run.objectsPerS,
            limitPerS: limit,
            p99Ms: null,
            rssMb: run.peakRssMb,
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
