import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/load.js'
import type { MaintenanceTask } from './jobs/maintenance.js'
import { enqueueDueFeeds } from './feeds/schedule-tick.js'
import { sweepExpiredExports } from './exports/export-files.js'
import { pruneAnonymizedObjects } from './sharing/anonymized-store.js'
import { deleteExpiredStatuses } from './taxii/status-store.js'
import { purgeExpiredTokens } from './identity/purge-tokens.js'
import { archiveExpiredAudit } from './audit/retention.js'

/** Stored anonymization output is recomputed after this: bounds what a rotated key or changed level leaves. */
const ANONYMIZED_OUTPUT_RETENTION_DAYS = 30

/**
 * Every periodic task of the platform, one per area, for the per-minute maintenance tick (core/jobs/maintenance.ts):
 * due feed schedules, expired export files, expired TAXII statuses, old stored anonymization output, expired
 * refresh tokens, audit retention. Listed here, in the composition layer, because the tasks belong to layers
 * above the queue that runs them. `app` is read when a task runs, so every plugin it needs is registered by then.
 */
export function maintenanceTasks(
  app: FastifyInstance,
  config: Pick<Config, 'dataDir' | 'auditRetention' | 'auth'>,
): MaintenanceTask[] {
  return [
    { name: 'feeds', run: () => enqueueDueFeeds(app.feedRuns) },
    { name: 'exports', run: () => sweepExpiredExports(app.knex, config.dataDir) },
    { name: 'taxii-statuses', run: () => deleteExpiredStatuses(app.knex) },
    { name: 'anonymized-output', run: () => pruneAnonymizedObjects(app.knex, ANONYMIZED_OUTPUT_RETENTION_DAYS) },
    { name: 'expired-tokens', run: () => purgeExpiredTokens(app.knex, { graceSeconds: config.auth.accessTokenTtl }) },
    { name: 'audit-retention', run: () => archiveExpiredAudit(app.knex, config.auditRetention) },
  ]
}
