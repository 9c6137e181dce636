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
]
