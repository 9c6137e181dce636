import type PgBoss from 'pg-boss'

/**
 * Every queue the platform uses, declared once with its retry, expiry and dead-letter policy. Workers and
 * producers refer to these names only.
 */
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
} as const

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]

export const QUEUE_DECLARATIONS: (PgBoss.Queue & { name: QueueName })[] = [
  { name: QUEUES.feedPullDead, policy: 'standard', retentionDays: 14 },
  // `singleton` lets one job of a given singletonKey (the feed id) be active at a time.
  { name: QUEUES.feedPull, policy: 'standard', retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInMinutes: 60, deadLetter: QUEUES.feedPullDead },
  { name: QUEUES.taxiiIngestDead, policy: 'standard', retentionDays: 14 },
  // A job that failed for good ends its add request (core/taxii/ingest-job.ts): a TAXII status always ends.
  { name: QUEUES.taxiiIngest, policy: 'standard', retryLimit: 2, retryDelay: 2, retryBackoff: true, expireInMinutes: 30, deadLetter: QUEUES.taxiiIngestDead },
  { name: QUEUES.exportRun, policy: 'standard', retryLimit: 1, retryDelay: 5, expireInMinutes: 60 },
  { name: QUEUES.maintenance, policy: 'singleton', retryLimit: 0 },
  { name: QUEUES.eventsMatchDead, policy: 'standard', retentionDays: 14 },
  // Matching is idempotent (matches are unique per event and indicator): a retry redoes the whole batch.
  { name: QUEUES.alertWebhookDead, policy: 'standard', retentionDays: 14 },
  // Each attempt is logged on its delivery row; the last failed one marks it `failed` (core/alerts/deliver-webhook.ts).
  { name: QUEUES.alertWebhook, policy: 'standard', retryLimit: 8, retryDelay: 2, retryBackoff: true, expireInMinutes: 5, deadLetter: QUEUES.alertWebhookDead },
  { name: QUEUES.eventsMatch, policy: 'standard', retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInMinutes: 30, deadLetter: QUEUES.eventsMatchDead },
]
