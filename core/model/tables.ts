/**
 * The platform's tables, declared once: one interface per table with the column types node-postgres returns
 * (bigint and numeric as string, timestamptz as Date, jsonb parsed), merged into knex's `Tables` so that
 * `knex('users')` is typed without a cast. Enumerated text columns use the vocabularies of vocabularies.ts.
 * test/architecture/tables.test.ts compares every interface with the migrated schema: a migration that adds,
 * drops or changes the nullability of a column fails it until this file says the same.
 */
import type { AnonymizationLevel, Role } from '../plugin-api/types.js'
import type { ObservableValue } from '../plugin-api/observable-values.js'
import type { StixObject } from '../stix/types.js'
import type { Tlp } from '../stix/tlp.js'
import type {
  AlertStatus,
  AuditOutcome,
  ExportJobStatus,
  FeedRunStatus,
  FeedDefaultTlp,
  FeedRunTrigger,
  TaxiiStatusState,
  Visibility,
  WebhookDeliveryStatus,
} from './vocabularies.js'

/** `alert_history` */
export interface AlertHistoryRow {
  id: string
  alert_id: string
  actor_user_id: string | null
  change: string
  from_value: string | null
  to_value: string | null
  reason: string | null
  at: Date
}

/** `alert_notes` */
export interface AlertNoteRow {
  id: string
  alert_id: string
  author_user_id: string | null
  body: string
  created_at: Date
}

/** `alert_settings` */
export interface AlertSettingsRow {
  organization_id: string
  alert_threshold: number
  match_severity: number | null
  share_sightings: boolean
  sighting_collection_id: string | null
  updated_at: Date
  webhook_url: string | null
  webhook_secret: string | null
}

/** `alerts` */
export interface AlertRow {
  id: string
  seq: string
  organization_id: string
  event_id: string
  title: string
  source: string
  severity: number
  status: AlertStatus
  assignee_user_id: string | null
  match_count: number
  created_at: Date
  updated_at: Date
  acknowledged_at: Date | null
  resolved_at: Date | null
}

/** `anonymized_objects` */
export interface AnonymizedObjectRow {
  object_pk: string
  variant: string
  anonymized_id: string
  document: string | null
  created_at: Date
}

/** `api_key_scopes` */
export interface ApiKeyScopeRow {
  api_key_id: string
  permissions: string[]
}

/** `api_keys` */
export interface ApiKeyRow {
  id: string
  user_id: string
  name: string
  prefix: string
  key_hash: string
  created_at: Date
  expires_at: Date | null
  last_used_at: Date | null
  revoked_at: Date | null
}

/** `audit_log` */
export interface AuditLogRow {
  id: string
  at: Date
  actor_user_id: string | null
  actor_email: string | null
  actor_org_id: string | null
  ip: string | null
  action: string
  outcome: AuditOutcome
  target_type: string | null
  target_id: string | null
  details: unknown
}

/** `collection_objects` */
export interface CollectionObjectRow {
  collection_id: string
  object_pk: string
  seq: string
  date_added: Date
  /** Holds the newest version of its object in the collection; kept by triggers (migrations/0065). */
  latest: boolean
}

/** `collections` */
export interface CollectionRow {
  id: string
  organization_id: string
  title: string
  description: string
  alias: string | null
  visibility: Visibility
  created_at: Date
  updated_at: Date
}

/** `console_sessions` */
export interface ConsoleSessionRow {
  id: string
  data: unknown
  expires_at: Date
}

/** `event_matches` */
export interface EventMatchRow {
  id: string
  event_id: string
  observable_type: string
  observable_value: string
  stix_id: string
  stix_type: string
  matched_value: string
  collection_id: string
  producer_org_id: string
  object_json: string
  sighting_id: string | null
  created_at: Date
}

/** `export_jobs` */
export interface ExportJobRow {
  id: string
  user_id: string
  organization_id: string
  format: string
  /** The query filters (core/exports/filters.ts `ExportFilter`), checked before the job is written. */
  filter: Record<string, string>
  /** The exporter's options, checked against its `optionsSchema` before the job is written. */
  options: Record<string, unknown>
  status: ExportJobStatus
  objects_written: string
  bytes_written: string
  file_name: string | null
  error: string | null
  created_at: Date
  started_at: Date | null
  finished_at: Date | null
  expires_at: Date | null
}

/** An item a feed run rejected (`feed_runs.rejections`): what the source referred to, and why. */
export interface FeedRunRejection {
  ref?: string
  reason: string
}

/** One attempt's counters (`feed_runs.attempt_counts`, migrations/0030): what that attempt fetched and stored. */
export interface FeedRunAttemptCounts {
  attempt: number
  fetched: number
  new: number
  newVersions: number
  unchanged: number
  rejected: number
}

/** `feed_runs` */
export interface FeedRunRow {
  id: string
  feed_id: string
  status: FeedRunStatus
  trigger: FeedRunTrigger
  queued_at: Date
  started_at: Date | null
  finished_at: Date | null
  fetched: number
  new_objects: number
  new_versions: number
  unchanged: number
  rejected: number
  rejections: FeedRunRejection[]
  error: string | null
  lease_token: string | null
  lease_expires_at: Date | null
  attempts: number
  attempt_counts: FeedRunAttemptCounts[]
  uncheckpointed: unknown
  total: number | null
}

/** `feeds` */
export interface FeedRow {
  id: string
  organization_id: string
  collection_id: string
  name: string
  source_plugin: string
  config: unknown
  schedule: string | null
  default_tlp: FeedDefaultTlp
  enabled: boolean
  checkpoint: string | null
  created_at: Date
  updated_at: Date
  next_run_at: Date | null
}

/** `login_failures` */
export interface LoginFailureRow {
  key: string
  failed_at: Date[]
  expires_at: Date
}

/** `organizations` */
export interface OrganizationRow {
  id: string
  name: string
  description: string
  contact_email: string | null
  created_at: Date
  updated_at: Date
  sectors: string[]
  contact_information: string | null
  stix_identity: StixObject | null
}

/** `prefill_watermarks` */
export interface PrefillWatermarkRow {
  collection_id: string
  variant: string
  date_added: Date
  seq: string
  updated_at: Date
}

/** `refresh_tokens` */
export interface RefreshTokenRow {
  id: string
  user_id: string
  family_id: string
  token_hash: string
  created_at: Date
  expires_at: Date
  used_at: Date | null
  revoked_at: Date | null
}

/** `released_value_fills` */
export interface ReleasedValueFillRow {
  collection_id: string
  variant: string
  seq: string
  prefixes: string[]
  scanned_at: Date
}

/** `released_value_objects` */
export interface ReleasedValueObjectRow {
  object_pk: string
  variant: string
}

/** `released_values` */
export interface ReleasedValueRow {
  kind: string
  value: string
  variant: string
  object_pk: string
}

/** `security_events` */
export interface SecurityEventRow {
  id: string
  seq: string
  organization_id: string
  submitted_by: string | null
  source: string
  event_type: string
  severity: number
  description: string
  occurred_at: Date
  /** Written only from checked input (core/events/event-input.ts). */
  observables: { type: ObservableValue['kind']; value: string }[]
  created_at: Date
  matched_at: Date | null
}

/** `stix_objects` */
export interface StixObjectRow {
  pk: string
  stix_id: string
  version: Date
  type: string
  spec_version: string
  producer_org_id: string
  tlp: Tlp | null
  revoked: boolean
  labels: string[]
  created: Date | null
  name: string | null
  document: StixObject
  stored_at: Date
  content_hash: string | null
}

/** `taxii_statuses` */
export interface TaxiiStatusRow {
  id: string
  collection_id: string
  organization_id: string
  user_id: string
  status: TaxiiStatusState
  request_timestamp: Date
  total_count: number
  success_count: number
  failure_count: number
  pending_count: number
  successes: unknown
  failures: unknown
  pendings: unknown
  payload: unknown | null
  expires_at: Date
}

/** `trust_levels` */
export interface TrustLevelRow {
  id: string
  name: string
  level: number
  anonymization_level: AnonymizationLevel
  description: string
  created_at: Date
  updated_at: Date
}

/** `trust_relationships` */
export interface TrustRelationshipRow {
  id: string
  trustor_org_id: string
  trustee_org_id: string
  trust_level_id: string
  notes: string
  created_at: Date
  updated_at: Date
}

/** `users` */
export interface UserRow {
  id: string
  organization_id: string
  email: string
  display_name: string
  role: Role
  password_hash: string | null
  is_active: boolean
  token_version: number
  last_login_at: Date | null
  created_at: Date
  updated_at: Date
}

/** `webhook_deliveries` */
export interface WebhookDeliveryRow {
  id: string
  seq: string
  organization_id: string
  alert_id: string
  url: string
  status: WebhookDeliveryStatus
  attempts: number
  response_status: number | null
  last_error: string | null
  created_at: Date
  updated_at: Date
  delivered_at: Date | null
}

declare module 'knex/types/tables.js' {
  interface Tables {
    alert_history: AlertHistoryRow
    alert_notes: AlertNoteRow
    alert_settings: AlertSettingsRow
    alerts: AlertRow
    anonymized_objects: AnonymizedObjectRow
    api_key_scopes: ApiKeyScopeRow
    api_keys: ApiKeyRow
    audit_log: AuditLogRow
    collection_objects: CollectionObjectRow
    collections: CollectionRow
    console_sessions: ConsoleSessionRow
    event_matches: EventMatchRow
    export_jobs: ExportJobRow
    feed_runs: FeedRunRow
    feeds: FeedRow
    login_failures: LoginFailureRow
    organizations: OrganizationRow
    prefill_watermarks: PrefillWatermarkRow
    refresh_tokens: RefreshTokenRow
    released_value_fills: ReleasedValueFillRow
    released_value_objects: ReleasedValueObjectRow
    released_values: ReleasedValueRow
    security_events: SecurityEventRow
    stix_objects: StixObjectRow
    taxii_statuses: TaxiiStatusRow
    trust_levels: TrustLevelRow
    trust_relationships: TrustRelationshipRow
    users: UserRow
    webhook_deliveries: WebhookDeliveryRow
  }
}
