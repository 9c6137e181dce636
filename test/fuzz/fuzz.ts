import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { countChanges, loggedError, responseProblem, rowCounter } from './checks.js'
import { requestArb, type FuzzRequest } from './requests.js'
import { documentedRoutes, exportFormats, loadIdPools, TAXII_ROUTES } from './routes.js'
import { authHeaders, createPrincipals, hostileAuthorization, repairPrincipals, seedData } from './seed.js'
import { buildTestApp, createOrg, type TestLike } from '../helper.js'
import { FUZZ_APP_ENV } from './schema-values.js'

/**
 * Fuzzed requests come from an address of their own: the failed logins they cause lock out their address, which
 * must not be the one credentials are renewed from (127.0.0.1).
 */
const FUZZ_ADDRESS = '192.0.2.10'
/** Forged credentials from yet another, so that their lockout leaves the roles' HTTP Basic requests working. */
const FORGER_ADDRESS = '192.0.2.66'

export interface FuzzOptions {
  app: FastifyInstance
  knex: Knex
  /** The app's log lines, searched for the stack of a 5xx. */
  logs: string[]
  seed: number
  /** About how many requests in all (spread evenly over the routes). */
  requests: number
  /** Only routes whose `METHOD /path` matches. */
  only?: RegExp
  progress?: (line: string) => void
  /** Print every request and the start of its answer. */
  verbose?: boolean
}

export interface Failure {
  route: string
  problem: string
  request: string
  response: string
  stack?: string
}

export interface FuzzReport {
  seed: number
  sent: number
  serverErrors: number
  /** `METHOD /path` → requests sent, then answers by status. */
  perRoute: Map<string, { sent: number; statuses: Record<number, number> }>
  failures: Failure[]
  /** The tables whose row counts a refused request must leave unchanged. */
  countedTables: string[]
}

const cut = (s: string | Buffer | undefined, n: number) => {
  const text =
    s === undefined ? '' : Buffer.isBuffer(s) ? `<${s.length} bytes> ${s.subarray(0, n).toString('latin1')}` : s
  return text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text
}

function describe(req: FuzzRequest, headers: Record<string, string>): string {
  const shown = {
    ...headers,
    ...(headers.authorization
      ? {
          authorization:
            req.hostileAuth === null
              ? `${headers.authorization.split(' ')[0]} <${req.role}>`
              : cut(headers.authorization, 120),
        }
      : {}),
  }
  return `${req.copies > 1 ? `${req.copies} at once: ` : ''}${req.method} ${cut(req.url, 300)} as ${req.hostileAuth === null ? req.role : `forged credentials #${req.hostileAuth % 1000}`}${req.basic ? ' (Basic)' : ''}\n    headers: ${JSON.stringify(shown)}\n    body (${req.mutation}): ${cut(req.payload, 300)}`
}

/** The app under fuzz: no job workers (their writes would be blamed on later requests), one allow-listed feed address. */
export const buildFuzzApp = (t: TestLike) => buildTestApp(t, { runWorkers: false, env: FUZZ_APP_ENV })

/** A route's own seed: the same requests whichever routes run beside it (`--only`) or are added later. */
function routeSeed(seed: number, key: string): number {
  let h = seed | 0
  for (const ch of key) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0
  return h
}

/** Sends `requests` schema-derived and hostile requests over every documented route and TAXII route (see README.md). */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const { app, knex } = opts
  const principals = await createPrincipals(app, await createOrg(knex, 'Fuzz home'))
  await seedData(app, knex, principals)
  const routes = await documentedRoutes(app, authHeaders(principals, 'admin'))
  const formats = await exportFormats(app, authHeaders(principals, 'admin'))
  const documented = new Set(routes.map((r) => `${r.method} ${r.path}`))
  const missing = TAXII_ROUTES.filter((r) => !documented.has(r))
  if (missing.length)
    throw new Error(`TAXII routes missing from /docs/json (add them to the suite): ${missing.join(', ')}`)
  const selected = routes.filter((r) => !opts.only || opts.only.test(`${r.method} ${r.path}`))
  const perRouteQuota = Math.max(1, Math.ceil(opts.requests / selected.length))
  const { tables, count: countRows } = await rowCounter(knex)
  const report: FuzzReport = {
    seed: opts.seed,
    sent: 0,
    serverErrors: 0,
    perRoute: new Map(),
    failures: [],
    countedTables: tables,
  }

  for (const route of selected) {
    const key = `${route.method} ${route.path}`
    const stats = { sent: 0, statuses: {} as Record<number, number> }
    report.perRoute.set(key, stats)
    const pools = await loadIdPools(knex, formats)
    const samples = fc.sample(requestArb(route, pools, principals.protectedIds), {
      seed: routeSeed(opts.seed, key),
      numRuns: perRouteQuota,
    })
    let counts = await countRows()
    for (const req of samples) {
      const auth =
        req.hostileAuth === null
          ? authHeaders(principals, req.role, req.basic)
          : { authorization: hostileAuthorization(principals, req.hostileAuth) }
      const headers = { ...auth, ...req.headers }
      const send = (h: Record<string, string>) =>
        app.inject({
          method: req.method as 'GET',
          url: req.url,
          headers: h,
          payload: req.payload,
          remoteAddress: req.hostileAuth === null ? FUZZ_ADDRESS : FORGER_ADDRESS,
        })
      // A race: the same request several times at once (two creates of one name, a delete during an update).
      const answers = await Promise.all(Array.from({ length: req.copies }, () => send(headers)))
      const after = await countRows()
      const allRefused = answers.every((res) => res.statusCode >= 400)
      for (const res of answers) {
        stats.sent++
        report.sent++
        stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1
        if (opts.verbose)
          opts.progress?.(
            `${res.statusCode} ${req.method} ${cut(req.url, 120)} as ${req.role}${req.basic ? ' (Basic)' : ''} [${req.mutation}] → ${cut(res.body, 160)}`,
          )
        const problems = [responseProblem(res, req.url, req.method)]
        if (req.hostileAuth !== null && route.secured && res.statusCode < 300) {
          // Served as to an anonymous caller (a public collection's object) is fine; more than that is not.
          const anonymous = await send(req.headers)
          if (anonymous.statusCode >= 300)
            problems.push(`forged credentials accepted (${res.statusCode}; without them ${anonymous.statusCode})`)
        }
        if (allRefused && res === answers[0])
          problems.push(
            ...countChanges(counts, after).map((c) => `refused (${res.statusCode}) yet row count changed: ${c}`),
          )
        for (const problem of problems.filter((p): p is string => !!p)) {
          if (res.statusCode >= 500) report.serverErrors++
          const requestId = res.headers['x-request-id'] as string | undefined
          report.failures.push({
            route: key,
            problem,
            request: describe(req, headers),
            response: cut(res.body, 400),
            stack: res.statusCode >= 500 ? loggedError(opts.logs, requestId) : undefined,
          })
        }
      }
      counts = after
    }
    const repaired = await repairPrincipals(app, principals)
    opts.progress?.(
      `${key}: ${stats.sent} requests ${JSON.stringify(stats.statuses)}${repaired.length ? ` (credentials renewed: ${repaired.join(', ')})` : ''}`,
    )
  }
  return report
}

export function formatFailures(report: FuzzReport, limit = 50): string {
  const lines: string[] = []
  for (const f of report.failures.slice(0, limit)) {
    lines.push(
      `✗ ${f.route}: ${f.problem}\n    ${f.request}\n    response: ${f.response}${f.stack ? `\n    stack: ${f.stack.split('\n').slice(0, 8).join('\n      ')}` : ''}`,
    )
  }
  if (report.failures.length > limit) lines.push(`… and ${report.failures.length - limit} more`)
  return lines.join('\n')
}
