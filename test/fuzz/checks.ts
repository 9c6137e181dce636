import type { Knex } from 'knex'
import type { LightMyRequestResponse } from 'fastify'

/**
 * Tables whose row count may change on a refused request, by design:
 * - audit_log: refused logins and permission denials are audited;
 * - anonymized_objects: a cache of anonymized output, written after reads (asynchronously, so even after a
 *   later refused request);
 * - login_failures: refused logins are counted there (the login limiter, shared by every API node);
 * - knex_migrations*: never change, not data.
 * pg-boss keeps its queues in its own schema (`pgboss`), outside the public schema counted here.
 */
export const UNCOUNTED_TABLES = new Set([
  'audit_log',
  'anonymized_objects',
  'login_failures',
  'knex_migrations',
  'knex_migrations_lock',
])

export type RowCounts = Record<string, number>

/** A function that counts the rows of every public table but those above, in one query. */
export async function rowCounter(knex: Knex): Promise<{ tables: string[]; count: () => Promise<RowCounts> }> {
  const { rows } = await knex.raw(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  )
  const tables = (rows as { table_name: string }[]).map((r) => r.table_name).filter((t) => !UNCOUNTED_TABLES.has(t))
  const sql = `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}")::int AS "${t}"`).join(', ')}`
  return { tables, count: async () => (await knex.raw(sql)).rows[0] as RowCounts }
}

export function countChanges(before: RowCounts, after: RowCounts): string[] {
  return Object.keys(after)
    .filter((t) => before[t] !== after[t])
    .map((t) => `${t}: ${before[t]} → ${after[t]}`)
}

/** What is wrong with an answer: a 5xx, or a 4xx not in the error format of the API addressed. */
export function responseProblem(res: LightMyRequestResponse, url: string, method: string): string | undefined {
  if (res.statusCode >= 500) return `server error ${res.statusCode}`
  if (res.statusCode < 400 || method === 'HEAD') return undefined
  const type = String(res.headers['content-type'] ?? '')
  let body: unknown
  try {
    body = JSON.parse(res.body)
  } catch {
    return `${res.statusCode} with a body that is not JSON (${type})`
  }
  const b = body as { title?: unknown; http_status?: unknown; error?: { code?: unknown; message?: unknown } }
  if (url.startsWith('/taxii2/')) {
    if (!type.startsWith('application/taxii+json')) return `${res.statusCode} TAXII error with content-type ${type}`
    if (typeof b.title !== 'string' || (b.http_status !== undefined && b.http_status !== String(res.statusCode)))
      return `${res.statusCode} not a TAXII error object`
    return undefined
  }
  if (!type.startsWith('application/json')) return `${res.statusCode} error with content-type ${type}`
  if (typeof b.error?.code !== 'string' || typeof b.error?.message !== 'string')
    return `${res.statusCode} not in the { error: { code, message } } shape`
  return undefined
}

/** The error and stack the app logged for a request (by its id), for a 5xx report. */
export function loggedError(logs: string[], requestId: string | undefined): string | undefined {
  if (!requestId) return undefined
  for (const line of logs) {
    if (!line.includes(requestId) || !line.includes('"err"')) continue
    try {
      const entry = JSON.parse(line) as { err?: { type?: string; message?: string; stack?: string } }
      if (entry.err) return entry.err.stack ?? `${entry.err.type}: ${entry.err.message}`
    } catch {
      continue
    }
  }
  return undefined
}
