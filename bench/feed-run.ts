import type { Platform } from '../core/platform.js'
import { runFeed } from '../core/feeds/run-feed.js'
import { insertQueuedRun } from '../core/feeds/run-queue.js'
import { storeObjects } from '../core/store/index.js'
import { cpuShare, rssSampler } from './result.js'
import { profileStatements } from './measure.js'
import { cpuProfiler } from './cpu-profile.js'

/** BENCH_MEMORY=1: what the process's memory was made of when its RSS peaked (sampled every 50 ms). */
function memoryAtPeak() {
  const start = process.memoryUsage()
  let peak = start
  const timer = setInterval(() => {
    const now = process.memoryUsage()
    if (now.rss > peak.rss) peak = now
  }, 50)
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`
  return {
    print: () => {
      clearInterval(timer)
      for (const [when, m] of [
        ['at the start', start],
        ['at the peak', peak],
      ] as const)
        console.log(
          `${when}: RSS ${mb(m.rss)}, heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`,
        )
    },
  }
}

interface FeedRunFigures {
  status: string
  fetched: number
  objectsPerS: number
  peakRssMb: number
  summary: string
}

/**
 * `stix-bundle` feeds of one organization's collection, run by the platform's own feed-run code
 * (core/feeds/run-feed.ts: fetch, streamed parse, batches through the store, counters, checkpoint) with the
 * context the feed worker gives it; pg-boss is left out (it only hands the run id over).
 */
export async function feedRunner(platform: Platform, options: { batchSize?: number } = {}) {
  const { knex, app } = platform
  const [organization] = await knex('organizations')
    .insert({ name: `bench ${Date.now()}` })
    .returning('id')
  const [collection] = await knex('collections')
    .insert({ organization_id: organization.id, title: 'bench' })
    .returning('id')
  let runs = 0
  const feeds = { ...platform.config.feeds, batchSize: options.batchSize ?? platform.config.feeds.batchSize }
  const ctx = {
    knex,
    registry: platform.registry,
    storeObjects,
    feeds,
    log: app.log,
    metrics: app.metrics,
    secrets: app.feedSecrets,
  }
  return {
    organizationId: organization.id,
    collectionId: collection.id,
    addFeed: async (name: string, url: string): Promise<string> => {
      const config = JSON.stringify({ url, headers: {}, timeoutMs: 60000 })
      const [feed] = await knex('feeds')
        .insert({
          organization_id: organization.id,
          collection_id: collection.id,
          name,
          source_plugin: 'stix-bundle',
          config,
        })
        .returning('id')
      return feed.id
    },
    /** Forgets the feed's ETag, so its next run reads the whole bundle again. */
    clearCheckpoint: async (feedId: string) => {
      await knex('feeds').where({ id: feedId }).update({ checkpoint: null })
    },
    /** Runs the feed once, to its end; objects/s and this process's peak RSS during the run. */
    run: async (feedId: string): Promise<FeedRunFigures> => {
      const queued = await insertQueuedRun(knex, feedId, 'manual')
      if (!queued) throw new Error(`feed ${feedId} already has a run queued`)
      const rss = rssSampler()
      // BENCH_STATEMENTS=n: time per statement kind of the n-th run (its listeners stay: one run only)
      const statements = Number(process.env.BENCH_STATEMENTS) === runs + 1 ? profileStatements(knex) : undefined
      const profile = await cpuProfiler(process.env.BENCH_CPU_PROF)
      const memory = process.env.BENCH_MEMORY ? memoryAtPeak() : undefined
      const cpu = cpuShare()
      const started = performance.now()
      await runFeed(ctx, queued.id, { retryCount: 0, retryLimit: 0 }, new AbortController().signal)
      const seconds = (performance.now() - started) / 1000
      const cpuLine = cpu.stop()
      rss.stop()
      await profile.stop(`feed-run-${++runs}`)
      statements?.print()
      memory?.print()
      const r = await knex('feed_runs').where({ id: queued.id }).first()
      if (!r) throw new Error(`feed run ${queued.id} vanished`)
      const objectsPerS = r.fetched / seconds
      const summary =
        `${r.status} ${r.fetched} objects (${r.new_objects} new, ${r.unchanged} unchanged, ${r.rejected} rejected) in ${seconds.toFixed(1)} s = ` +
        `${Math.round(objectsPerS).toLocaleString('en')} objects/s, peak RSS ${rss.peakMb().toFixed(0)} MB` +
        (cpuLine ? `\n    ${cpuLine}` : '')
      return { status: r.status, fetched: r.fetched, objectsPerS, peakRssMb: rss.peakMb(), summary }
    },
  }
}
