import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import type { AnonymizationLevel } from '../plugin-api/index.js'
import { registerDatabaseCollectors } from './metrics-collectors.js'

export type IngestSource = 'rest' | 'taxii' | 'feed'
export type ServeChannel = 'rest' | 'taxii'
export type IngestResult = 'new' | 'new-version' | 'unchanged' | 'rejected'
export type FeedRunOutcome = 'succeeded' | 'partial' | 'failed' | 'retried'
export type LoginFailure = { via: 'login' | 'basic'; reason: 'invalid' | 'locked' }

/**
 * What the services count, one call per event. Services take it as an optional `metrics` option (absent in
 * CLI commands and benches that call them directly: nothing is counted there).
 */
export interface PlatformMetrics {
  /** This platform instance's registry (never prom-client's global one: tests build many apps in one process). */
  readonly registry: Registry
  /** After a store call committed: its results by status. */
  objectsIngested(source: IngestSource, results: readonly { status: IngestResult }[]): void
  objectsServed(channel: ServeChannel, count: number): void
  objectsExported(format: string, count: number): void
  /** Once per object handed to anonymization (computed or reused stored output): the hot path, a plain tally. */
  objectAnonymized(level: AnonymizationLevel): void
  feedRunFinished(outcome: FeedRunOutcome): void
  loginFailed(failure: LoginFailure): void
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: PlatformMetrics
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
/** Seconds: from a cached health check to a large export stream. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/** The registry, its families, the typed interface over them, and the per-request observer the plugin hooks in. */
/** Created before the app (the identity core counts login failures from its construction on), served by `metricsPlugin`. */
export function createPlatformMetrics(): PlatformMetrics & {
  observeRequest(req: FastifyRequest, reply: FastifyReply): void
} {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'crisp_' })
  const registers = [registry]
  const requests = new Counter({
    name: 'crisp_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    registers,
  })
  const latency = new Histogram({
    name: 'crisp_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern, method and status class (2xx…5xx)',
    labelNames: ['route', 'method', 'status_class'],
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const ingested = new Counter({
    name: 'crisp_objects_ingested_total',
    help: 'STIX objects submitted to the store and committed, by source and result',
    labelNames: ['source', 'result'],
    registers,
  })
  const served = new Counter({
    name: 'crisp_objects_served_total',
    help: 'STIX objects sent in REST and TAXII pages',
    labelNames: ['channel'],
    registers,
  })
  const exported = new Counter({
    name: 'crisp_objects_exported_total',
    help: 'STIX objects written by exporters, by format',
    labelNames: ['format'],
    registers,
  })
  const anonymizedTally = new Map<AnonymizationLevel, number>()
  new Counter({
    name: 'crisp_objects_anonymized_total',
    help: 'Objects of another organization released through the anonymization strategy, by level applied',
    labelNames: ['level'],
    registers,
    collect() {
      for (const [level, n] of anonymizedTally) this.inc({ level }, n)
      anonymizedTally.clear()
    },
  })
  const feedRuns = new Counter({
    name: 'crisp_feed_runs_total',
    help: 'Feed run attempts by outcome (retried: the attempt failed and the run was queued again)',
    labelNames: ['outcome'],
    registers,
  })
  const loginFailures = new Counter({
    name: 'crisp_login_failures_total',
    help: 'Refused password logins (login route and HTTP Basic), by way and reason',
    labelNames: ['via', 'reason'],
    registers,
  })

  return {
    registry,
    objectsIngested(source, results) {
      const counts: Partial<Record<IngestResult, number>> = {}
      for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
      for (const [result, n] of Object.entries(counts)) ingested.inc({ source, result }, n)
    },
    objectsServed: (channel, count) => served.inc({ channel }, count),
    objectsExported: (format, count) => exported.inc({ format }, count),
    objectAnonymized: (level) => void anonymizedTally.set(level, (anonymizedTally.get(level) ?? 0) + 1),
    feedRunFinished: (outcome) => feedRuns.inc({ outcome }),
    loginFailed: ({ via, reason }) => loginFailures.inc({ via, reason }),
    observeRequest(req, reply) {
      // The route's pattern, never the URL: one series per route, whatever ids and queries clients send.
      const route = req.routeOptions.url ?? '(unmatched)'
      const method = METHODS.has(req.method) ? req.method : 'OTHER'
      const status = reply.statusCode
      requests.inc({ route, method, status: String(status) })
      latency.observe({ route, method, status_class: `${Math.floor(status / 100)}xx` }, reply.elapsedTime / 1000)
    },
  }
}

/**
 * `app.metrics`: one prom-client registry per platform instance with the platform's families, default process
 * metrics (`crisp_` prefix), HTTP requests counted on every response, and the collectors that read job queues
 * and the database pool at scrape time. `/metrics` itself is core/routes/metrics.ts.
 */
export const metricsPlugin = fp(
  async (app, opts: { metrics: ReturnType<typeof createPlatformMetrics> }) => {
    const { metrics } = opts
    registerDatabaseCollectors({ registry: metrics.registry, knex: app.knex, log: app.log })
    // Services see the counters, not the request observer the hook below uses.
    const counters: PlatformMetrics = metrics
    app.decorate('metrics', counters)
    app.addHook('onResponse', async (req, reply) => metrics.observeRequest(req, reply))
  },
  { name: 'crisp-metrics', dependencies: ['crisp-database'] },
)
