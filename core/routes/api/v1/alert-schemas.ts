import { Type } from '@sinclair/typebox'
import type { AlertSort } from '../../../alerts/list-alerts.js'
import { Event, Match } from './event-schemas.js'
import { literalUnion } from '../../../model/one-of.js'
import { ALERT_STATUSES, WEBHOOK_DELIVERY_STATUSES } from '../../../model/vocabularies.js'
import { Nullable } from './schemas.js'

const ALERT_SORTS_SCHEMA = [
  Type.Literal('created_at'),
  Type.Literal('-created_at'),
  Type.Literal('severity'),
  Type.Literal('-severity'),
  Type.Literal('updated_at'),
  Type.Literal('-updated_at'),
  Type.Literal('status'),
  Type.Literal('-status'),
] satisfies { static: AlertSort }[]
const Iso = Type.String({ format: 'date-time' })
const Status = literalUnion(ALERT_STATUSES)

const Alert = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  title: Type.String(),
  source: Type.String(),
  severity: Type.Integer({ minimum: 1, maximum: 4 }),
  severityName: Type.String(),
  status: Status,
  assignee: Type.Union([Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String() }), Type.Null()]),
  matchCount: Type.Integer({ description: 'Matches of the event with shared intelligence' }),
  createdAt: Iso,
  updatedAt: Iso,
  acknowledgedAt: Nullable(Iso),
  resolvedAt: Nullable(Iso),
})
export const AlertDetail = Type.Intersect([
  Alert,
  Type.Object({
    event: Event,
    matches: Type.Array(Match),
    notes: Type.Array(
      Type.Object({
        id: Type.String(),
        body: Type.String(),
        authorId: Nullable(Type.String()),
        authorEmail: Nullable(Type.String()),
        createdAt: Iso,
      }),
    ),
    history: Type.Array(
      Type.Object({
        change: Type.String({ description: 'created, status, assignee, note, match, severity' }),
        from: Nullable(Type.String()),
        to: Nullable(Type.String()),
        reason: Nullable(Type.String()),
        actorId: Nullable(Type.String()),
        actorEmail: Nullable(Type.String()),
        at: Iso,
      }),
    ),
  }),
])
export const AlertQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(Status, { description: 'One or more (`status=open&status=acknowledged`)' })),
    severity: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 4 }))),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Created before' })),
    source: Type.Optional(Type.String({ maxLength: 200 })),
    matched: Type.Optional(
      Type.Boolean({ description: 'Only alerts whose event matched shared intelligence (true) or none (false)' }),
    ),
    sort: Type.Optional(Type.Union(ALERT_SORTS_SCHEMA, { description: '`-` for descending; default -created_at' })),
    page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
)
export const AlertPage = Type.Object({
  count: Type.Integer({ description: 'Alerts matching the filters, all pages' }),
  next: Nullable(Type.String({ description: 'Link to the next page' })),
  previous: Nullable(Type.String({ description: 'Link to the previous page' })),
  items: Type.Array(Alert),
})
export const AlertPatch = Type.Object(
  {
    status: Type.Optional(Status),
    reason: Type.Optional(Type.String({ maxLength: 2000, description: 'Required to reopen' })),
    assigneeId: Type.Optional(
      Type.Union([Type.Null(), Type.String({ format: 'uuid' })], { description: 'null unassigns' }),
    ),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
  },
  { additionalProperties: false },
)
export const AlertSettings = Type.Object({
  organizationId: Type.String({ format: 'uuid' }),
  alertThreshold: Type.Integer({
    minimum: 1,
    maximum: 5,
    description: 'Events of this severity or above raise an alert (5: none)',
  }),
  matchSeverity: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 4 })], {
    description: 'A match raises its alert to at least this severity',
  }),
  shareSightings: Type.Boolean({ description: 'Share a STIX sighting back to the producer of a matched indicator' }),
  sightingCollectionId: Type.Union([Type.Null(), Type.String({ format: 'uuid' })]),
  webhookUrl: Type.Union([Type.String(), Type.Null()], {
    description: 'Where new High/Critical alerts are posted (PUT /alert-settings/webhook)',
  }),
})
export const AlertSettingsPatch = Type.Partial(Type.Omit(AlertSettings, ['organizationId', 'webhookUrl']), {
  additionalProperties: false,
})
export const WebhookBody = Type.Object(
  {
    url: Type.Union([Type.Null(), Type.String({ maxLength: 2000 })], {
      description: 'http(s) URL; null removes the webhook',
    }),
  },
  { additionalProperties: false },
)
export const Webhook = Type.Object({
  url: Type.Union([Type.String(), Type.Null()]),
  secret: Type.Union([Type.String(), Type.Null()], {
    description: 'HMAC-SHA256 key of the `X-Crisp-Signature` header: store it now, it is never shown again',
  }),
})
export const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  alertId: Type.String({ format: 'uuid' }),
  url: Type.String(),
  status: literalUnion(WEBHOOK_DELIVERY_STATUSES),
  attempts: Type.Integer(),
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Iso,
  updatedAt: Iso,
  deliveredAt: Nullable(Iso),
})
export const OrgQuery = Type.Object(
  {
    organizationId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Default: yours (admins may name another)' }),
    ),
  },
  { additionalProperties: false },
)
