import { Type } from '@sinclair/typebox'
import { OBSERVABLE_TYPES, type ObservableType } from '../../../events/event-input.js'
import { Nullable } from './schemas.js'

const Iso = Type.String({ format: 'date-time' })

const Severity = Type.Union([Type.Integer({ minimum: 1, maximum: 4 }), Type.String({ minLength: 1, maxLength: 20 })], {
  description: '1 Low, 2 Medium, 3 High, 4 Critical (the name is accepted too, any case)',
})
const Observable = Type.Object(
  {
    type: Type.Unsafe<ObservableType>({ type: 'string', enum: [...OBSERVABLE_TYPES] }),
    value: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  {
    additionalProperties: false,
    description: 'An address, domain, URL, email address, file hash (md5, sha1, sha256, sha512) or file name',
  },
)
const EventInput = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 200, description: 'Sending system: `siem-prod`, `edr`…' }),
    event_type: Type.String({ minLength: 1, maxLength: 200 }),
    severity: Severity,
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    occurred_at: Type.String({ format: 'date-time' }),
    observables: Type.Optional(Type.Array(Observable, { maxItems: 100 })),
  },
  { additionalProperties: false, title: 'SecurityEventInput' },
)
/** Checked item by item by the service, so that one bad event does not refuse the others. */
export const IngestBody = Type.Union(
  [EventInput, Type.Array(Type.Unknown({ description: 'A SecurityEventInput' }), { minItems: 1, maxItems: 5000 })],
  {
    description: 'One event, a JSON array of events, or (Content-Type: application/x-ndjson) one event per line',
  },
)
const IngestResult = Type.Object({
  index: Type.Integer({ description: 'Position in the batch (NDJSON: among the non-blank lines)' }),
  status: Type.Union([Type.Literal('created'), Type.Literal('rejected')]),
  id: Type.Optional(Type.String({ format: 'uuid' })),
  alertId: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
  reason: Type.Optional(Type.String({ description: 'Why the event was refused: the field, then the rule' })),
})
export const IngestResponse = Type.Object({
  created: Type.Integer(),
  rejected: Type.Integer(),
  alerts: Type.Integer({ description: 'Alerts raised by the created events' }),
  results: Type.Array(IngestResult),
})
export const Match = Type.Object({
  observable: Type.Object({ type: Type.String(), value: Type.String() }),
  matchedValue: Type.String({
    description: 'The value as your organization received it: an address, or the network it was generalized to',
  }),
  stixId: Type.String({ description: 'Id of the indicator or observable as you received it' }),
  stixType: Type.String(),
  collectionId: Type.String({ format: 'uuid' }),
  sightingId: Nullable(Type.String({ description: 'The sighting shared back for this match, if any' })),
  object: Type.Record(Type.String(), Type.Unknown(), {
    description: 'The object as you received it (anonymized at your level)',
  }),
  matchedAt: Iso,
})
export const Event = Type.Object({
  id: Type.String({ format: 'uuid' }),
  source: Type.String(),
  eventType: Type.String(),
  severity: Type.Integer(),
  severityName: Type.String(),
  description: Type.String(),
  occurredAt: Iso,
  observables: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
  createdAt: Iso,
  matchedAt: Nullable(Iso),
})
export const EventDetail = Type.Intersect([
  Event,
  Type.Object({ alertId: Nullable(Type.String({ format: 'uuid' })), matches: Type.Array(Match) }),
])
export const IngestKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    userId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Owner of the key (default: you); its organization owns the events' }),
    ),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)
export const IngestKey = Type.Object({
  key: Type.String({ description: 'The secret key: store it now, it is never shown again' }),
  id: Type.String({ format: 'uuid' }),
  organizationId: Type.String({ format: 'uuid' }),
  scopes: Type.Array(Type.String()),
  expiresAt: Nullable(Iso),
})
