import { Type } from '@sinclair/typebox'

const Tlp = Type.Union([Type.Literal('clear'), Type.Literal('green'), Type.Literal('amber'), Type.Literal('amber+strict'), Type.Literal('red')], {
  description: 'TLP 2.0 marking given to objects that carry none',
})
const Uuid = (description: string) => Type.String({ format: 'uuid', description })

const FeedFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Unique within the organization' }),
  source: Type.String({ minLength: 1, description: 'Feed-source plugin id, e.g. stix-bundle, taxii21, csv, misp, otx' }),
  config: Type.Record(Type.String(), Type.Unknown(), { description: "The plugin's configuration (see its configSchema); secrets are masked in responses" }),
  schedule: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { description: '5-field cron expression (UTC), or null for manual runs only' }),
  collectionId: Uuid("Target collection; must belong to the feed's organization"),
  defaultTlp: Tlp,
  enabled: Type.Boolean({ description: 'Disabled feeds are never scheduled' }),
}

export const FeedCreateBody = Type.Object(
  {
    organizationId: Type.Optional(Uuid("Owning organization (admins only; defaults to the caller's)")),
    ...FeedFields,
    config: Type.Optional(FeedFields.config),
    schedule: Type.Optional(FeedFields.schedule),
    defaultTlp: Type.Optional(Tlp),
    enabled: Type.Optional(FeedFields.enabled),
  },
  { additionalProperties: false },
)

export const FeedUpdateBody = Type.Partial(Type.Object(FeedFields, { additionalProperties: false }), { additionalProperties: false, minProperties: 1 })

export const Feed = Type.Object({
  id: Type.String(),
  organizationId: Type.String(),
  ...FeedFields,
  nextRunAt: Type.Union([Type.String(), Type.Null()], { description: 'When the scheduler next queues a run' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const FeedRun = Type.Object({
  id: Type.String(),
  feedId: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
  trigger: Type.String(),
  attempts: Type.Integer(),
  queuedAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  counts: Type.Object({ fetched: Type.Integer(), new: Type.Integer(), newVersions: Type.Integer(), unchanged: Type.Integer(), rejected: Type.Integer() }),
  rejections: Type.Array(Type.Object({ ref: Type.Optional(Type.String()), reason: Type.String() }), { description: 'The first 20 rejections, each a short one-line excerpt; shown only to the feed\'s organization (others get an empty list)' }),
  error: Nullable(Type.String()),
})

export const FeedIdParams = Type.Object({ id: Uuid('Feed id') })
