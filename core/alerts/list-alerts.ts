import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import { eventErrors } from '../events/errors.js'
import type { AlertStatus } from '../model/vocabularies.js'
import { alertColumns, alertView, type AlertView, type AlertViewRow } from './alert-view.js'

export const ALERT_SORTS = [
  'created_at',
  '-created_at',
  'severity',
  '-severity',
  'updated_at',
  '-updated_at',
  'status',
  '-status',
] as const
export type AlertSort = (typeof ALERT_SORTS)[number]

export interface AlertFilter {
  status?: AlertStatus[]
  severity?: number[]
  /** Inclusive lower, exclusive upper bound on `created_at`. */
  from?: string
  to?: string
  source?: string
  /** true: alerts with at least one match with shared intelligence; false: none. */
  matched?: boolean
  sort?: AlertSort
  page?: number
  pageSize?: number
}

export interface AlertPage {
  count: number
  next: string | null
  previous: string | null
  items: AlertView[]
}

export const DEFAULT_PAGE_SIZE = 10

function filtered(db: Knex, orgId: string, f: AlertFilter): Knex.QueryBuilder {
  const q = db('alerts as a').where('a.organization_id', orgId)
  if (f.status?.length) q.whereIn('a.status', f.status)
  if (f.severity?.length) q.whereIn('a.severity', f.severity)
  if (f.from) q.where('a.created_at', '>=', f.from)
  if (f.to) q.where('a.created_at', '<', f.to)
  if (f.source) q.where('a.source', f.source)
  if (f.matched !== undefined) q.where('a.match_count', f.matched ? '>' : '=', 0)
  return q
}

/** `path?…&page=n`: the same query with another page number. */
function pageLink(path: string, query: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (k === 'page' || v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item))
  }
  params.set('page', String(page))
  return `${path}?${params}`
}

/**
 * Alerts of the actor's organization, filtered and sorted, a numbered page at a time with the total `count`
 * and `next`/`previous` links (`path` and `query` are those of the request, so the links repeat its filters).
 */
export async function listAlerts(opts: {
  db: Knex
  actor: Pick<Principal, 'orgId'>
  filter: AlertFilter
  path: string
  query: Record<string, unknown>
}): Promise<AlertPage> {
  const { db, filter: f } = opts
  if (f.from && f.to && Date.parse(f.from) >= Date.parse(f.to)) throw eventErrors.badFilter('from must be before to')
  const page = f.page ?? 1
  const pageSize = f.pageSize ?? DEFAULT_PAGE_SIZE
  if (!(Number.isInteger(page) && page >= 1 && Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 100))
    throw eventErrors.badFilter('page ≥ 1, pageSize 1–100')
  const sort = f.sort ?? '-created_at'
  const column = `a.${sort.replace(/^-/, '')}`
  const direction = sort.startsWith('-') ? 'desc' : 'asc'
  const [{ n }] = await filtered(db, opts.actor.orgId, f).count<{ n: string }[]>({ n: '*' })
  const count = Number(n)
  const rows = await filtered(db, opts.actor.orgId, f)
    .leftJoin('users as u', 'u.id', 'a.assignee_user_id')
    .select<AlertViewRow[]>(alertColumns(db))
    .orderBy([
      { column, order: direction },
      { column: 'a.seq', order: direction },
    ])
    .offset((page - 1) * pageSize)
    .limit(pageSize)
  return {
    count,
    next: page * pageSize < count ? pageLink(opts.path, opts.query, page + 1) : null,
    previous:
      page > 1 ? pageLink(opts.path, opts.query, Math.min(page - 1, Math.max(1, Math.ceil(count / pageSize)))) : null,
    items: rows.map(alertView),
  }
}
