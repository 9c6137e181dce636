/**
 * The vocabularies of the columns the platform writes, each defined once as an `as const` list: the row types
 * (tables.ts), the services that check input, and the TypeBox enums of the HTTP schemas are all derived from these.
 * Roles and anonymization levels belong to the plugin contract (core/plugin-api/types.ts), TLP labels to STIX
 * (core/stix/tlp.ts).
 */
import { TLP_LEVELS } from '../stix/tlp.js'

/** Who may read a collection besides its organization. */
export const VISIBILITIES = ['private', 'trusted', 'public'] as const
export type Visibility = (typeof VISIBILITIES)[number]

/** A feed's marking for objects that carry none: a TLP 2.0 label, or `none` (they are stored unmarked). */
export const FEED_DEFAULT_TLPS = ['none', ...TLP_LEVELS] as const
export type FeedDefaultTlp = (typeof FEED_DEFAULT_TLPS)[number]

/** A feed run's life: queued, running, then one of the finished states. */
export const FEED_RUN_STATUSES = ['queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled'] as const
export type FeedRunStatus = (typeof FEED_RUN_STATUSES)[number]

/** What started a feed run. */
export const FEED_RUN_TRIGGERS = ['manual', 'schedule'] as const
export type FeedRunTrigger = (typeof FEED_RUN_TRIGGERS)[number]

/** An export job's life; a finished one is `succeeded`, as a feed run is (docs/api.md). */
export const EXPORT_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'expired'] as const
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number]

/** The alert workflow's states (transitions: core/alerts/workflow.ts). */
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const
export type AlertStatus = (typeof ALERT_STATUSES)[number]

/** A webhook delivery's life. */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number]

/** A TAXII 2.1 status resource's `status` (§4.3.1): the protocol's own words. */
export const TAXII_STATUS_STATES = ['pending', 'complete'] as const
export type TaxiiStatusState = (typeof TAXII_STATUS_STATES)[number]

/** How an audited action ended. */
export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]
