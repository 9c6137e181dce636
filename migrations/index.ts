import type { Knex } from 'knex'
import * as m0001 from './0001_create_identity_tables.js'
import * as m0002 from './0002_create_stix_tables.js'
import * as m0003 from './0003_create_feed_tables.js'
import * as m0004 from './0004_create_audit_log.js'
import * as m0006 from './0006_create_taxii_statuses.js'
import * as m0007 from './0007_add_feed_run_scheduling.js'
import * as m0008 from './0008_create_export_jobs.js'
import * as m0009 from './0009_add_stix_content_hash.js'
import * as m0010 from './0010_index_revoked_versions.js'
import * as m0011 from './0011_create_anonymized_objects.js'
import * as m0012 from './0012_add_taxii_status_job.js'
import * as m0013 from './0013_key_versions_per_producer.js'
import * as m0015 from './0015_index_anonymized_ids.js'
import * as m0020 from './0020_create_security_events.js'
import * as m0021 from './0021_create_event_matches.js'
import * as m0022 from './0022_create_alert_webhooks.js'
import * as m0030 from './0030_feed_run_outcomes.js'
import * as m0040 from './0040_create_released_values.js'
import * as m0050 from './0050_org_admin_role.js'
import * as m0051 from './0051_organization_identity.js'
import * as m0052 from './0052_feed_run_total.js'
import * as m0053 from './0053_drop_unsent_job_markers.js'
import * as m0054 from './0054_events_matched_in_place.js'
import * as m0061 from './0061_shared_state.js'
import * as m0062 from './0062_audit_log_retention.js'
import * as m0063 from './0063_export_job_succeeded.js'
import * as m0064 from './0064_create_prefill_watermarks.js'
import * as m0065 from './0065_collection_objects_latest.js'

interface Migration {
  up(knex: Knex): Promise<void>
  down(knex: Knex): Promise<void>
}

/**
 * Migrations are listed here, in order, rather than discovered on disk: the same list works under tsx, in a
 * compiled build and from any working directory. Add new files at the end.
 */
const MIGRATIONS: [string, Migration][] = [
  ['0001_create_identity_tables', m0001],
  ['0002_create_stix_tables', m0002],
  ['0003_create_feed_tables', m0003],
  ['0004_create_audit_log', m0004],
  ['0006_create_taxii_statuses', m0006],
  ['0007_add_feed_run_scheduling', m0007],
  ['0008_create_export_jobs', m0008],
  ['0009_add_stix_content_hash', m0009],
  ['0010_index_revoked_versions', m0010],
  ['0011_create_anonymized_objects', m0011],
  ['0012_add_taxii_status_job', m0012],
  ['0013_key_versions_per_producer', m0013],
  ['0015_index_anonymized_ids', m0015],
  ['0020_create_security_events', m0020],
  ['0021_create_event_matches', m0021],
  ['0022_create_alert_webhooks', m0022],
  ['0030_feed_run_outcomes', m0030],
  ['0040_create_released_values', m0040],
  ['0050_org_admin_role', m0050],
  ['0051_organization_identity', m0051],
  ['0052_feed_run_total', m0052],
  ['0053_drop_unsent_job_markers', m0053],
  ['0054_events_matched_in_place', m0054],
  ['0061_shared_state', m0061],
  ['0062_audit_log_retention', m0062],
  ['0063_export_job_succeeded', m0063],
  ['0064_create_prefill_watermarks', m0064],
  ['0065_collection_objects_latest', m0065],
]

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
}
