import type { FeedRow, FeedRunRow } from '../model/tables.js'
import { maskSecrets } from './secrets-mask.js'
import { configRecord } from './secrets-at-rest.js'

/**
 * The run's counters: each item of the source once (`fetched`, `rejected`), every object the run added once
 * (`new`, `newVersions`), and `unchanged` = the rest. An object a failed attempt stored after its last
 * checkpoint is fetched again by the retry, which sees it unchanged: the run still counts it new, once.
 */
function runCounts(row: FeedRunRow) {
  const unchanged = Math.max(0, row.fetched - row.new_objects - row.new_versions - row.rejected)
  return {
    fetched: row.fetched,
    new: row.new_objects,
    newVersions: row.new_versions,
    unchanged,
    rejected: row.rejected,
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** How far the run is: `fetched` out of the source's `total`, in whole percent (at most 100); null without a total. */
function progressOf(row: FeedRunRow): { total: number | null; percent: number | null } {
  const total = row.total ?? null
  if (total === null) return { total, percent: null }
  return { total, percent: total === 0 ? 100 : Math.min(100, Math.floor((row.fetched * 100) / total)) }
}

/** The API shape of a feed: secrets in its config are masked. */
export function feedDto(row: FeedRow) {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    source: row.source_plugin,
    config: configRecord(maskSecrets(row.config)),
    schedule: row.schedule,
    collectionId: row.collection_id,
    defaultTlp: row.default_tlp,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export type FeedDto = ReturnType<typeof feedDto>

/**
 * The API shape of a run: counts, duration and the first rejection reasons. Rejections quote what the remote
 * sent, which is the feed's organization's business: `withRejections: false` (a platform admin of another
 * organization) shows only their count.
 */
export function feedRunDto(row: FeedRunRow, options: { withRejections: boolean }) {
  const end = row.finished_at ?? (row.started_at ? new Date() : null)
  return {
    id: row.id,
    feedId: row.feed_id,
    status: row.status,
    trigger: row.trigger,
    attempts: row.attempts,
    queuedAt: row.queued_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.started_at && end ? end.getTime() - row.started_at.getTime() : null,
    counts: runCounts(row),
    ...progressOf(row),
    attemptCounts: row.attempt_counts,
    rejections: options.withRejections ? row.rejections : [],
    error: row.error,
  }
}

export type FeedRunDto = ReturnType<typeof feedRunDto>
