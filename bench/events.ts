/**
 * Security events end to end: ingestion (core/events/ingest-events.ts: validation, insert, alerts, audit, the
 * matching job) then matching (core/events/match: the egress pipeline as the reporting organization, trusted at
 * `medium` by the producer, so every indicator is anonymized before it is compared). pg-boss is left out: the
 * jobs ingestion enqueues are collected and run here by one worker loop, beside ingestion as the worker
 * process would (BENCH_EVENTS_WORKER=after: only once everything is ingested).
 * Seeds BENCH_EVENTS_INDICATORS indicators (default 1,000,000; a third each IPv4, domain and SHA-256 patterns,
 * TLP green) with SQL, then ingests BENCH_EVENTS events (default 100,000; an IPv4 address and a SHA-256 each,
 * one address in ten inside a seeded /16) in batches of BENCH_EVENTS_BATCH (default 5000), posted by
 * BENCH_EVENTS_STREAMS senders side by side (default 1).
 * Before ingestion, the reporting organization's released-value index is filled once (timed apart: it is a
 * one-time cost per output variant, paid by the first matching pass after a trust change, then incremental).
 * Prints the CPU time of this process and of the PostgreSQL server (when local) over the run: on a shared
 * machine that is steadier than wall time. BENCH_EVENTS_PROFILE=1 adds the time per statement kind. The last
 * line is machine-readable (`RESULT events objects_per_s=…`: events per second end to end).
 * Run: npm run bench:events (DATABASE_URL, else a throw-away embedded PostgreSQL; the platform is built by
 * `createPlatform`, without workers: this loop is the worker).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Knex } from 'knex'
import { benchDatabase, seedSharingPair } from './database.js'
import { benchPlatform } from './platform.js'
import { profileStatements, serverCpuSeconds } from './measure.js'
import { ingestEvents } from '../core/events/ingest-events.js'
import type { JobSender, MatchJob } from '../core/events/match-queue.js'
import { matchEvents } from '../core/events/match/match-events.js'
import { fillReleasedValues, indexedCollections } from '../core/events/match/released-index.js'
import { resolveCollectionContexts } from '../core/sharing/index.js'

const INDICATORS = Number(process.env.BENCH_EVENTS_INDICATORS ?? 1_000_000)
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000)
const BATCH = Number(process.env.BENCH_EVENTS_BATCH ?? 5000)
const STREAMS = Number(process.env.BENCH_EVENTS_STREAMS ?? 1)
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'

async function seed(knex: Knex, producerOrg: string, collectionId: string): Promise<void> {
  const ip = `(i % 223 + 1) || '.' || (i / 223 % 256) || '.' || (i / 57089 % 256) || '.' || (i % 251)`
  await knex.raw(
    `
    INSERT INTO stix_objects (stix_id, version, type, spec_version, producer_org_id, tlp, labels, created, name, document)
    SELECT d->>'id', '2024-03-05T10:00:00Z', 'indicator', '2.1', :org, 'green', ARRAY['malicious-activity'], '2024-03-05T10:00:00Z', d->>'name', d
    FROM (SELECT jsonb_build_object('type', 'indicator', 'spec_version', '2.1', 'id', 'indicator--00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'),
        'created', '2024-03-05T10:00:00.000Z', 'modified', '2024-03-05T10:00:00.000Z', 'name', 'Indicator ' || i,
        'pattern', CASE WHEN i % 3 = 0 THEN '[ipv4-addr:value = ''' || ${ip} || ''']'
                        WHEN i % 3 = 1 THEN '[domain-name:value = ''host' || i || '.example.com'']'
                        ELSE '[file:hashes.''SHA-256'' = ''' || encode(sha256(i::text::bytea), 'hex') || ''']' END,
        'pattern_type', 'stix', 'valid_from', '2024-03-05T10:00:00Z', 'object_marking_refs', jsonb_build_array('${GREEN}')) AS d
      FROM generate_series(1, :count) AS i) AS g`,
    { org: producerOrg, count: INDICATORS },
  )
  await knex.raw(
    `INSERT INTO collection_objects (collection_id, object_pk, date_added)
    SELECT :collectionId, pk, '2024-03-05T10:00:00Z'::timestamptz + pk * interval '1 microsecond' FROM stix_objects ORDER BY pk`,
    { collectionId },
  )
  await knex.raw('ANALYZE')
}

/** Event n: one address in ten inside a /16 the seed used (so it matches the anonymized /16), and a hash. */
function eventAt(n: number) {
  const seeded = n % 10 === 0
  // Seeded indicators use first octets 1–223: 224–239 never matches.
  const a = seeded ? (n % 223) + 1 : 224 + (n % 16)
  const address = `${a}.${seeded ? 0 : n % 256}.${(n >> 8) % 256}.${n % 251}`
  return {
    source: 'bench-siem',
    event_type: 'connection',
    severity: (n % 4) + 1,
    occurred_at: '2026-11-30T10:00:00Z',
    observables: [
      { type: 'ipv4-addr', value: address },
      { type: 'sha256', value: n.toString(16).padStart(8, '0').repeat(8) },
    ],
  }
}

async function main() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crisp-bench-events-'))
  const database = await benchDatabase(scratch)
  // BENCH_EVENTS_LOG=info: the per-event log lines are written (to /dev/null), as a server logging at info would.
  const platform = await benchPlatform(database.url, scratch, {
    poolMax: 6,
    logLevel: process.env.BENCH_EVENTS_LOG ?? 'error',
    logStream: createWriteStream('/dev/null'),
  })
  const { knex, registry } = platform
  const log = platform.app.log
  try {
    const { producerOrg, readerOrg, collectionId } = await seedSharingPair(knex)
    const [{ id: userId }] = await knex('users')
      .insert({ organization_id: readerOrg, email: `siem-${Date.now()}@bench.test`, role: 'admin' })
      .returning('id')
    const t0 = performance.now()
    await seed(knex, producerOrg, collectionId)
    console.log(
      `seeded ${INDICATORS.toLocaleString('en')} indicators in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )

    const jobs: MatchJob[] = []
    // A job becomes visible when its transaction commits, as in pg-boss.
    const sender: JobSender = {
      enqueue: async (trx, _queue, data) => {
        trx.executionPromise.then(
          () => jobs.push(data as MatchJob),
          () => undefined,
        )
        return 'bench'
      },
    }
    const actor = { userId, orgId: readerOrg, email: 'siem@bench.test', role: 'admin' as const }
    const filling = performance.now()
    const { indexed } = indexedCollections(
      await resolveCollectionContexts(knex, readerOrg),
      readerOrg,
      registry.defaultAnonymizer(),
    )
    for (const c of indexed) await fillReleasedValues(knex, registry.defaultAnonymizer(), c)
    const fillMs = performance.now() - filling
    console.log(
      `released-value index filled in ${(fillMs / 1000).toFixed(1)} s = ${Math.round(INDICATORS / (fillMs / 1000)).toLocaleString('en')} objects/s (once per variant)`,
    )
    // A store in steady state: the seed and the fill wrote millions of rows that autovacuum would otherwise visit
    // (and the checkpointer flush) during the timed run, on the same two cores.
    const settling = performance.now()
    await knex.raw(
      'VACUUM (ANALYZE) stix_objects, collection_objects, anonymized_objects, released_values, released_value_objects',
    )
    await knex.raw('CHECKPOINT')
    console.log(`vacuumed and checkpointed in ${((performance.now() - settling) / 1000).toFixed(1)} s (not timed)`)
    const profile = process.env.BENCH_EVENTS_PROFILE ? profileStatements(knex) : null
    const cpu0 = process.cpuUsage()
    const serverCpu0 = await serverCpuSeconds(knex)
    const start = performance.now()
    // One matching worker, as the worker process runs pg-boss's `events.match` jobs: beside ingestion
    // (BENCH_EVENTS_WORKER=concurrent, the default) or only once everything is ingested (=after).
    let matches = 0
    let ingestionDone = false
    const work = async () => {
      for (;;) {
        const job = jobs.shift()
        if (job) matches += (await matchEvents({ knex, registry, log, jobs: sender }, job)).matches
        else if (ingestionDone) return
        else await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    const concurrent = (process.env.BENCH_EVENTS_WORKER ?? 'concurrent') === 'concurrent'
    const worker = concurrent ? work() : null
    // BENCH_EVENTS_STREAMS senders post batches side by side (a SIEM forwarding over several connections).
    let next = 0
    const stream = async () => {
      for (let from = (next += BATCH) - BATCH; from < EVENTS; from = (next += BATCH) - BATCH) {
        const items = Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, i) => eventAt(from + i))
        await ingestEvents({ db: knex, jobs: sender, log, actor, items })
      }
    }
    await Promise.all(Array.from({ length: STREAMS }, stream))
    ingestionDone = true
    const ingested = performance.now()
    await (worker ?? work())
    const done = performance.now()
    const s = (ms: number) => (ms / 1000).toFixed(1)
    console.log(
      `ingested ${EVENTS.toLocaleString('en')} events (${STREAMS} stream${STREAMS > 1 ? 's' : ''}) in ${s(ingested - start)} s = ${Math.round(EVENTS / ((ingested - start) / 1000)).toLocaleString('en')} events/s`,
    )
    console.log(
      `matching ${concurrent ? 'beside ingestion' : 'after ingestion'}: all matched ${s(done - ingested)} s after the last batch (${matches.toLocaleString('en')} matches)`,
    )
    const cpu = process.cpuUsage(cpu0)
    const serverCpu = await serverCpuSeconds(knex)
    const [{ unmatched }] = await knex('security_events').whereNull('matched_at').count({ unmatched: '*' })
    if (Number(unmatched) !== 0) throw new Error(`${unmatched} events were not matched`)
    const server =
      serverCpu === null || serverCpu0 === null ? '' : `, PostgreSQL ${(serverCpu - serverCpu0).toFixed(1)} s`
    console.log(`CPU: node ${s((cpu.user + cpu.system) / 1000)} s${server}, over ${s(done - start)} s of wall time`)
    profile?.print()
    const endToEnd = Math.round(EVENTS / ((done - start) / 1000))
    const rss = (process.memoryUsage().rss / 1e6).toFixed(0)
    console.log(`end to end: ${endToEnd.toLocaleString('en')} events/s, peak RSS ${rss} MB`)
    console.log(`RESULT events objects_per_s=${endToEnd} limit_per_s=- ratio=- p99_ms=- rss_mb=${rss}`)
  } finally {
    await platform.close()
    await database.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
