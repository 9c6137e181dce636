import type PgBoss from 'pg-boss'
import type { Config } from '../../config/load.js'

/** The name of every queue the platform uses: workers and producers refer to these only. */
export const QUEUES = {
  feedPull: 'feed.pull',
  feedPullDead: 'feed.pull.dead',
  taxiiIngest: 'taxii.ingest',
  taxiiIngestDead: 'taxii.ingest.dead',
  exportRun: 'export.run',
  maintenance: 'maintenance',
  eventsMatch: 'events.match',
  eventsMatchDead: 'events.match.dead',
  alertWebhook: 'alert.webhook',
  alertWebhookDead: 'alert.webhook.dead',
  anonymizePrefill: 'anonymize.prefill',
} as const

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]

/**
 * A queue and the policy its jobs inherit. pg-boss 10 stores a queue's expiry and retention only as
 * `expireInSeconds` and `retentionMinutes` (it ignores the minute, hour and day forms there), hence these fields.
 */
export type QueueDeclaration = PgBoss.RetryOptions & {
  name: QueueName
  policy: PgBoss.QueuePolicy
  expireInSeconds?: number
  retentionMinutes?: number
  deadLetter?: QueueName
}

/** What the declarations take from the configuration. */
export interface QueueSettings {
  feeds: Pick<Config['feeds'], 'runTimeout' | 'retryDelay'>
}

/** Attempts of one feed run: pg-boss's retries of its job, and takeovers of a run whose worker died (core/feeds/run-takeover.ts). */
export const FEED_PULL_RETRY_LIMIT = 4
export const FEED_PULL_MAX_ATTEMPTS = FEED_PULL_RETRY_LIMIT + 1

const DEAD_LETTER_RETENTION_MINUTES = 14 * 24 * 60

/**
 * Every queue the platform uses with its retry, expiry, retention and dead-letter policy: the only place these
 * are set (producers enqueue through core/infra/enqueue.ts, which takes none of them).
 */
export function queueDeclarations(settings: QueueSettings): QueueDeclaration[] {
  return [
    { name: QUEUES.feedPullDead, policy: 'standard', retentionMinutes: DEAD_LETTER_RETENTION_MINUTES },
    // A dead worker's run is taken over when its lease expires (core/feeds/run-takeover.ts); the job's own expiry
    // (the run timeout) is the backstop, and its dead letter ends the run `failed` (core/feeds/feeds-plugin.ts).
    {
      name: QUEUES.feedPull,
      policy: 'standard',
      retryLimit: FEED_PULL_RETRY_LIMIT,
      retryDelay: settings.feeds.retryDelay,
      retryBackoff: true,
      expireInSeconds: settings.feeds.runTimeout,
      deadLetter: QUEUES.feedPullDead,
    },
    { name: QUEUES.taxiiIngestDead, policy: 'standard', retentionMinutes: DEAD_LETTER_RETENTION_MINUTES },
    // A job that failed for good ends its add request (core/taxii/ingest-job.ts): a TAXII status always ends.
    {
      name: QUEUES.taxiiIngest,
      policy: 'standard',
      retryLimit: 2,
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds: 30 * 60,
      deadLetter: QUEUES.taxiiIngestDead,
    },
    { name: QUEUES.exportRun, policy: 'standard', retryLimit: 1, retryDelay: 5, expireInSeconds: 60 * 60 },
    // One tick at a time: pg-boss's `singleton` policy lets one job of the queue be active.
    { name: QUEUES.maintenance, policy: 'singleton', retryLimit: 0 },
    { name: QUEUES.eventsMatchDead, policy: 'standard', retentionMinutes: DEAD_LETTER_RETENTION_MINUTES },
    // Matching is idempotent (matches are unique per event and indicator): a retry redoes the whole batch.
    {
      name: QUEUES.eventsMatch,
      policy: 'standard',
      retryLimit: 4,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: 30 * 60,
      deadLetter: QUEUES.eventsMatchDead,
    },
    { name: QUEUES.alertWebhookDead, policy: 'standard', retentionMinutes: DEAD_LETTER_RETENTION_MINUTES },
    // Each attempt is logged on its delivery row; the last failed one marks it `failed` (core/alerts/deliver-webhook.ts).
    {
      name: QUEUES.alertWebhook,
      policy: 'standard',
      retryLimit: 8,
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds: 5 * 60,
      deadLetter: QUEUES.alertWebhookDead,
    },
    // Keyed by collection (core/sharing/prefill.ts): `stately` keeps one waiting job per key, so a burst of
    // ingests into a collection is one job, and a job's continuation merges with it (both start from the
    // collection's watermarks). A retry resumes after the last page filled; a failed fill only costs first readers.
    {
      name: QUEUES.anonymizePrefill,
      policy: 'stately',
      retryLimit: 2,
      retryDelay: 30,
      retryBackoff: true,
      expireInSeconds: 30 * 60,
    },
  ]
}
