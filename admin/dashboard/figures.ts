import type { Knex } from 'knex'

export interface DashboardFigures {
  objectsStored: number
  organizations: number
  feeds: number
  failedRunsLast24h: number
  /** Objects stored per day over the last 14 days, oldest first, days without objects included as 0. */
  objectsPerDay: { day: string; count: number }[]
  /** Open alerts of the admin's own organization per severity (1 Low … 4 Critical), all four listed. */
  openAlertsBySeverity: { severity: number; count: number }[]
}

interface SeverityCount {
  severity: number
  count: number
}

const count = async (query: Knex.QueryBuilder) => Number((await query.count({ n: '*' }).first())?.n ?? 0)

/**
 * The figures the dashboard shows; each is one indexed or small count. Alerts are counted for `orgId` only:
 * like the console's alert list, they are the admin's own organization's (docs/admin.md). With `ownFeedsOnly`
 * (an org-admin's dashboard) feeds and failed runs are counted for `orgId` too, like its feed lists.
 */
export async function dashboardFigures(
  knex: Knex,
  orgId?: string,
  options: { ownFeedsOnly?: boolean } = {},
): Promise<DashboardFigures> {
  const feedRows = knex('feeds')
  const failedRuns = knex('feed_runs')
    .where('status', 'failed')
    .where('queued_at', '>', knex.raw("now() - interval '24 hours'"))
  if (options.ownFeedsOnly && orgId === undefined) {
    // Without an organization there are no own feeds.
    feedRows.whereRaw('false')
    failedRuns.whereRaw('false')
  } else if (options.ownFeedsOnly && orgId !== undefined) {
    feedRows.where('organization_id', orgId)
    failedRuns.whereIn('feed_id', knex('feeds').select('id').where('organization_id', orgId))
  }
  const [objectsStored, organizations, feeds, failedRunsLast24h, perDay, openAlerts] = await Promise.all([
    count(knex('stix_objects')),
    count(knex('organizations')),
    count(feedRows),
    count(failedRuns),
    knex.raw<{ rows: DashboardFigures['objectsPerDay'] }>(`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(o.pk)::int AS count
      FROM generate_series(current_date - 13, current_date, interval '1 day') AS d(day)
      LEFT JOIN stix_objects o ON o.stored_at >= d.day AND o.stored_at < d.day + interval '1 day'
      GROUP BY d.day ORDER BY d.day`),
    orgId
      ? knex('alerts')
          .where({ organization_id: orgId, status: 'open' })
          .groupBy('severity')
          .select<SeverityCount[]>('severity', knex.raw('count(*)::int AS count'))
      : Promise.resolve<SeverityCount[]>([]),
  ])
  const bySeverity = new Map(openAlerts.map((r) => [r.severity, r.count]))
  const openAlertsBySeverity = [1, 2, 3, 4].map((severity) => ({ severity, count: bySeverity.get(severity) ?? 0 }))
  return { objectsStored, organizations, feeds, failedRunsLast24h, objectsPerDay: perDay.rows, openAlertsBySeverity }
}
