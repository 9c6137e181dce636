import { Gauge, type Registry } from 'prom-client'
import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import { QUEUES } from '../jobs/queues.js'

/** The knex pool's counters (tarn.js). */
interface TarnPool {
  numUsed(): number
  numFree(): number
  numPendingAcquires(): number
  max: number
}

function isTarnPool(value: unknown): value is TarnPool {
  return (
    typeof value === 'object' &&
    value !== null &&
    'numUsed' in value &&
    typeof value.numUsed === 'function' &&
    'numFree' in value &&
    typeof value.numFree === 'function' &&
    'numPendingAcquires' in value &&
    typeof value.numPendingAcquires === 'function' &&
    'max' in value &&
    typeof value.max === 'number'
  )
}

interface QueueRow {
  name: string
  depth: number
  oldest_age: number | null
}

/**
 * Waiting jobs per queue and the age of the oldest one that is due, straight from pg-boss's table. Waiting
 * (`created`, `retry`) rows are covered by pg-boss's partial index `job_i5` (name, start_after) INCLUDE
 * (created_on) WHERE state < 'active': the query reads only the waiting rows, never the completed history.
 * Jobs delayed into the future (retry backoff) count in the depth but not in the age: they are not late.
 */
const QUEUE_SQL = `
  SELECT name, count(*)::int AS depth,
         extract(epoch FROM now() - min(start_after) FILTER (WHERE start_after <= now()))::float8 AS oldest_age
  FROM pgboss.job WHERE state < 'active' GROUP BY name`

/** Longest a scrape waits for the queue query; on timeout or error the queue gauges are left empty. */
const QUEUE_QUERY_TIMEOUT_MS = 2000

/**
 * Gauges read at scrape time: job queues (every declared queue reported, 0 when empty) and the knex pool.
 * Because they read the shared database, an API node's /metrics shows the queues its workers elsewhere drain.
 */
export function registerDatabaseCollectors(options: {
  registry: Registry
  knex: Knex
  log: Pick<FastifyBaseLogger, 'warn'>
}): void {
  const { knex, log } = options
  const registers = [options.registry]
  // Both gauges come from one query per scrape: the registry collects metrics concurrently, so each collect()
  // awaits the same in-flight refresh.
  let refreshing: Promise<void> | undefined
  const refresh = () => (refreshing ??= readQueues().finally(() => (refreshing = undefined)))
  const collect = async () => refresh()
  const depth = new Gauge({
    name: 'crisp_queue_depth',
    help: 'Jobs waiting in a pg-boss queue (created or retry, delayed ones included)',
    labelNames: ['queue'],
    registers,
    collect,
  })
  const oldest = new Gauge({
    name: 'crisp_queue_oldest_job_age_seconds',
    help: 'Age of the oldest due job still waiting in a pg-boss queue (since it became due); 0 when none',
    labelNames: ['queue'],
    registers,
    collect,
  })
  async function readQueues(): Promise<void> {
    depth.reset()
    oldest.reset()
    let rows: QueueRow[]
    try {
      rows = (await knex.raw<{ rows: QueueRow[] }>(QUEUE_SQL).timeout(QUEUE_QUERY_TIMEOUT_MS, { cancel: true })).rows
    } catch (err) {
      log.warn({ err }, 'metrics: job queues not readable; queue gauges left out of this scrape')
      return
    }
    const byName = new Map(rows.map((r) => [r.name, r]))
    for (const name of Object.values(QUEUES)) {
      const row = byName.get(name)
      depth.set({ queue: name }, row?.depth ?? 0)
      oldest.set({ queue: name }, Math.max(0, row?.oldest_age ?? 0))
    }
  }
  const pool = (): TarnPool | undefined => {
    // knex types its client `any`: the pool (tarn.js, created on first use) is checked, not trusted.
    const client: unknown = knex.client
    const candidate: unknown =
      typeof client === 'object' && client !== null && 'pool' in client ? client.pool : undefined
    return isTarnPool(candidate) ? candidate : undefined
  }
  new Gauge({
    name: 'crisp_db_pool_connections',
    help: 'Database pool connections of this process: used, free, and pending acquisitions (waiting callers)',
    labelNames: ['state'],
    registers,
    collect() {
      const p = pool()
      this.set({ state: 'used' }, p?.numUsed() ?? 0)
      this.set({ state: 'free' }, p?.numFree() ?? 0)
      this.set({ state: 'pending' }, p?.numPendingAcquires() ?? 0)
    },
  })
  new Gauge({
    name: 'crisp_db_pool_max',
    help: 'Largest size of this process database pool',
    registers,
    collect() {
      this.set(pool()?.max ?? 0)
    },
  })
}
