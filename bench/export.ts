/**
 * Export throughput through the real egress pipeline (query → sharing policy → trust-levels anonymization →
 * exporter), as a reader of another organization trusted at `medium`, so every object is anonymized.
 * Seeds BENCH_OBJECTS objects (default 1,000,000; BENCH_EXPORT_OBJECTS is the old name; 60 % indicators, 40 %
 * observables, TLP green) straight into a fresh database with SQL, then exports them as a STIX bundle and as CSV
 * to /dev/null, each format in a fresh process holding a platform built by `createPlatform` (under production's V8
 * options, bench/platform-flags.ts), and prints objects/s, that process's peak RSS and where its memory was then.
 * Before each export the parent measures the limit, a raw keyset page read of as many stored documents (at
 * least 50,000; bench/limits.ts); each export ends with `RESULT export-<format> …`.
 * BENCH_CPU_PROF=<dir> writes a CPU profile of each export alone (`export-<format>.cpuprofile`).
 * Uses DATABASE_URL when set, else a throw-away embedded PostgreSQL. Run: npm run bench:export
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Knex } from 'knex'
import { benchDatabase, seedSharingPair } from './database.js'
import { createKnex, migrateLatest } from '../core/infra/database.js'
import { findExporter, runExport } from '../core/exports/run-export.js'
import { benchPlatform } from './platform.js'
import { relaunchWithPlatformFlags } from './platform-flags.js'
import { pageReadLimit } from './limits.js'
import { prefillCollection } from '../core/sharing/prefill.js'
import { cpuShare, loadAverage, resultLine, rssSampler } from './result.js'
import { cpuProfiler } from './cpu-profile.js'

const COUNT = Number(process.env.BENCH_OBJECTS ?? process.env.BENCH_EXPORT_OBJECTS ?? 1_000_000)
const FORMATS = (process.env.BENCH_EXPORT_FORMATS ?? 'stix-bundle,csv').split(',')
/**
 * BENCH_EXPORT_PREFILL=0: export before the stored anonymization output is filled (every object anonymized by
 * the export). By default the `anonymize.prefill` job's work is done first, as it is after an ingest through the
 * platform (the seed here bypasses the ingest), so the export reads what a partner's export reads.
 */
const PREFILL = process.env.BENCH_EXPORT_PREFILL !== '0'
// The parent's scratch folder (embedded PostgreSQL); each per-format child makes its own (the platform's data folder).
const scratch = process.env.BENCH_EXPORT_CHILD ? '' : mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-export-'))
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'

/** One INSERT … SELECT over generate_series: documents are built by PostgreSQL, not shipped from Node. */
async function seed(knex: Knex, producerOrg: string, collectionId: string): Promise<void> {
  const ip = `(i % 223 + 1) || '.' || (i / 223 % 256) || '.' || (i / 57089 % 256) || '.' || (i % 251)`
  const uuid = `'00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0')`
  await knex.raw(
    `
    INSERT INTO stix_objects (stix_id, version, type, spec_version, producer_org_id, tlp, labels, created, name, document)
    SELECT d->>'id', '2024-03-05T10:00:00Z', d->>'type', '2.1', :org, 'green', ARRAY['malicious-activity'], '2024-03-05T10:00:00Z', d->>'name', d
    FROM (SELECT CASE
      WHEN i % 10 < 6 THEN jsonb_build_object('type', 'indicator', 'spec_version', '2.1', 'id', 'indicator--' || ${uuid},
        'created', '2024-03-05T10:00:00.000Z', 'modified', '2024-03-05T10:00:00.000Z', 'name', 'C2 host' || i || '.example.com',
        'description', 'Command and control server host' || i || '.example.com seen at ' || ${ip},
        'pattern', CASE WHEN i % 3 = 0 THEN '[ipv4-addr:value = ''' || ${ip} || ''']'
                        WHEN i % 3 = 1 THEN '[domain-name:value = ''host' || i || '.example.com'']'
                        ELSE '[url:value = ''https://host' || i || '.example.com/gate.php\\?id=' || i || ''']' END,
        'pattern_type', 'stix', 'valid_from', '2024-03-05T10:00:00Z', 'indicator_types', jsonb_build_array('malicious-activity'),
        'labels', jsonb_build_array('malicious-activity'), 'confidence', 70, 'object_marking_refs', jsonb_build_array('${GREEN}'))
      WHEN i % 10 < 8 THEN jsonb_build_object('type', 'ipv4-addr', 'spec_version', '2.1', 'id', 'ipv4-addr--' || ${uuid}, 'value', ${ip},
        'object_marking_refs', jsonb_build_array('${GREEN}'))
      ELSE jsonb_build_object('type', 'domain-name', 'spec_version', '2.1', 'id', 'domain-name--' || ${uuid}, 'value', 'host' || i || '.example.com',
        'object_marking_refs', jsonb_build_array('${GREEN}'))
      END AS d FROM generate_series(1, :count) AS i) AS g`,
    { org: producerOrg, count: COUNT },
  )
  await knex.raw(
    `INSERT INTO collection_objects (collection_id, object_pk, date_added)
    SELECT :collectionId, pk, '2024-03-05T10:00:00Z'::timestamptz + pk * interval '1 microsecond' FROM stix_objects ORDER BY pk`,
    { collectionId },
  )
  await knex.raw('ANALYZE')
}

interface ChildTask {
  url: string
  readerOrg: string
  format: string
  /** The raw page read measured by the parent just before: objects/s. */
  limit: number
}

/**
 * One export in this process, as the platform runs it (a platform from `createPlatform`: registry with every
 * built-in plugin, egress pipeline, exporter, chunking), to /dev/null: prints objects/s and the process's peak
 * RSS, then its RESULT line.
 */
async function exportOnce(task: ChildTask) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-export-child-'))
  const rss = rssSampler()
  const platform = await benchPlatform(task.url, scratch)
  try {
    const before = rss.reset() / 1e6
    console.log(`before the export: ${rss.atPeak()}`)
    const exporter = findExporter(platform.registry, task.format)
    const run = runExport({
      knex: platform.knex,
      registry: platform.registry,
      principal: { orgId: task.readerOrg, role: 'viewer' },
      exporter,
      filter: {},
      options: {},
    })
    const profile = await cpuProfiler(process.env.BENCH_CPU_PROF)
    const cpu = cpuShare()
    const start = performance.now()
    let bytes = 0
    for await (const chunk of run.chunks) bytes += chunk.length
    const seconds = (performance.now() - start) / 1000
    const cpuLine = cpu.stop()
    await profile.stop(`export-${task.format}`)
    const n = run.objectsRead()
    console.log(
      `${task.format.padEnd(12)} ${n} objects in ${seconds.toFixed(1)} s = ${Math.round(n / seconds).toLocaleString('en')} objects/s, ` +
        `${(bytes / 1e6).toFixed(0)} MB out, peak RSS ${rss.peakMb().toFixed(0)} MB (${before.toFixed(0)} MB before the export)`,
    )
    console.log(`at the peak: ${rss.atPeak()}`)
    if (cpuLine) console.log(cpuLine)
    if (n !== COUNT) throw new Error(`exported ${n} of ${COUNT} objects`)
    console.log(
      resultLine({
        name: `export-${task.format}`,
        objectsPerS: n / seconds,
        limitPerS: task.limit,
        p99Ms: null,
        rssMb: rss.peakMb(),
      }),
    )
  } finally {
    rss.stop()
    await platform.close()
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** What the `anonymize.prefill` job does after an ingest, for the whole collection, in a platform of its own. */
async function prefill(url: string, collectionId: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-export-prefill-'))
  const platform = await benchPlatform(url, dir)
  try {
    const start = performance.now()
    const outcome = await prefillCollection(
      {
        knex: platform.knex,
        registry: platform.registry,
        jobs: platform.jobs,
        onError: (err) => console.error(err),
      },
      collectionId,
      { batch: COUNT, horizon: COUNT },
    )
    const seconds = (performance.now() - start) / 1000
    console.log(
      `prefill: ${outcome.written} stored outputs in ${seconds.toFixed(1)} s (not part of the export figures)`,
    )
  } finally {
    await platform.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const isChildTask = (v: unknown): v is ChildTask =>
  typeof v === 'object' && v !== null && 'url' in v && 'readerOrg' in v && 'format' in v && 'limit' in v

/** Seeds once, then runs each format in a fresh process, so no export's peak includes another's leftover heap. */
async function main() {
  if (process.env.BENCH_EXPORT_CHILD) {
    const task: unknown = JSON.parse(process.env.BENCH_EXPORT_CHILD)
    if (!isChildTask(task)) throw new Error('BENCH_EXPORT_CHILD: not a task')
    return exportOnce(task)
  }
  // The exports' children (and the limit's) inherit this process's options: production's V8 options.
  if (await relaunchWithPlatformFlags()) {
    rmSync(scratch, { recursive: true, force: true })
    return
  }
  const database = await benchDatabase(scratch)
  const url = database.url
  const knex = createKnex(url, { poolMax: 4 })
  try {
    await migrateLatest(knex)
    const { producerOrg, readerOrg, collectionId } = await seedSharingPair(knex)
    const t0 = Date.now()
    await seed(knex, producerOrg, collectionId)
    console.log(`seeded ${COUNT} objects in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    if (PREFILL) await prefill(url, collectionId)
    else console.log('no prefill: every object is anonymized by the export')
    // As in bench/taxii-seed.ts: the seed's and the prefill's vacuum and checkpoint happen before, not during, the exports.
    await knex.raw('VACUUM (ANALYZE) stix_objects, collection_objects, anonymized_objects')
    await knex.raw('CHECKPOINT')
    for (const format of FORMATS) {
      console.log(`load average ${loadAverage()}`)
      const limit = await pageReadLimit(url, COUNT)
      console.log(`${'page read'.padEnd(12)} (limit) ${Math.round(limit).toLocaleString('en')} objects/s`)
      const task: ChildTask = { url, readerOrg, format, limit }
      const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
        stdio: 'inherit',
        env: { ...process.env, BENCH_EXPORT_CHILD: JSON.stringify(task) },
      })
      const code = await new Promise((resolve) => child.once('exit', resolve))
      if (code !== 0) throw new Error(`${format} export exited with ${code}`)
    }
    console.log(`load average ${loadAverage()}`)
  } finally {
    await knex.destroy()
    await database.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
