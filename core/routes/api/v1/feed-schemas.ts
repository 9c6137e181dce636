import { Type } from '@sinclair/typebox'
import { literalUnion } from '../../../model/one-of.js'
import { FEED_RUN_STATUSES } from '../../../model/vocabularies.js'
import { TLP_LEVELS } from '../../../stix/tlp.js'
import { Nullable } from './schemas.js'

const TLP_MEANING = "TLP 2.0 marking the feed adds to objects that carry none; 'none' stores them unmarked"
const FEED_TLPS = ['none', ...TLP_LEVELS] as const
const tlp = (options: { description: string; default?: string }) => literalUnion(FEED_TLPS, options)
const Tlp = tlp({ description: TLP_MEANING })
/** Only creation has a default: on PATCH a default would overwrite the stored value. */
export const DEFAULT_FEED_TLP = 'amber' as const
const TlpWithDefault = tlp({ default: DEFAULT_FEED_TLP, description: `${TLP_MEANING}. Default: ${DEFAULT_FEED_TLP}` })
const Uuid = (description: string) => Type.String({ format: 'uuid', description })

const FeedFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Unique within the organization' }),
  source: Type.String({
    minLength: 1,
    description: 'Feed-source plugin id, e.g. stix-bundle, taxii21, csv, misp, otx',
  }),
  config: Type.Record(Type.String(), Type.Unknown(), {
    description: "The plugin's configuration (see its configSchema); secrets are masked in responses",
  }),
  schedule: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
    description: '5-field cron expression (UTC), or null for manual runs only',
  }),
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
    defaultTlp: Type.Optional(TlpWithDefault),
    enabled: Type.Optional(FeedFields.enabled),
  },
  { additionalProperties: false },
)

export const FeedUpdateBody = Type.Partial(Type.Object(FeedFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
})

export const Feed = Type.Object({
  id: Type.String(),
  organizationId: Type.String(),
  ...FeedFields,
  nextRunAt: Type.Union([Type.String(), Type.Null()], { description: 'When the scheduler next queues a run' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

const Counts = {
  fetched: Type.Integer(),
  new: Type.Integer(),
  newVersions: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
}

export const FeedRun = Type.Object({
  id: Type.String(),
  feedId: Type.String(),
  status: literalUnion(FEED_RUN_STATUSES, {
    description:
      'succeeded: finished, nothing rejected; partial: finished, some items rejected (see counts.rejected and rejections); failed: see error',
  }),
  trigger: Type.String(),
  attempts: Type.Integer(),
  queuedAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  counts: Type.Object(Counts, {
    description:
      "The run's counters, each item of the source once however many attempts it took: fetched and rejected count items, new and newVersions the objects the run stored, unchanged the rest. A retry resumes at the last checkpoint and fetches again what the failed attempt fetched after it; those objects still count as new once",
  }),
  total: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'How many items (objects and rejected items, as counts.fetched counts them) the source said this run would yield; null when the source cannot know (e.g. a streamed CSV or TAXII feed)',
  }),
  percent: Type.Union([Type.Integer(), Type.Null()], {
    description: 'counts.fetched out of total, in whole percent (at most 100); null without a total',
  }),
  attemptCounts: Type.Array(Type.Object({ attempt: Type.Integer(), ...Counts }), {
    description: 'What each attempt fetched and stored, in order',
  }),
  rejections: Type.Array(Type.Object({ ref: Type.Optional(Type.String()), reason: Type.String() }), {
    description:
      "The first 20 rejections, each a short one-line excerpt; shown only to the feed's organization (others get an empty list)",
  }),
  error: Nullable(Type.String()),
})

export const FeedIdParams = Type.Object({ id: Uuid('Feed id') })

export const FeedDryRunBody = Type.Object(
  {
    source: FeedFields.source,
    config: Type.Optional(FeedFields.config),
    maxObjects: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Stop after this many objects' }),
    timeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 600,
      default: 120,
      description: 'Longest the dry run may take (a slow TAXII server can need over a minute for a first page)',
    }),
  },
  { additionalProperties: false },
)

export const FeedDryRun = Type.Object({
  outcome: Type.Union(
    [
      Type.Literal('ok'),
      Type.Literal('refused'),
      Type.Literal('unavailable'),
      Type.Literal('data-error'),
      Type.Literal('timeout'),
    ],
    {
      description:
        'ok: reachable, authenticated, data read; refused: credentials or the egress policy refused; unavailable: network, timeout of the source or 5xx (a run would retry); data-error: the data is not what the source expects; timeout: timeoutSeconds passed',
    },
  ),
  error: Type.Union([Type.String(), Type.Null()], { description: 'What a run would have reported' }),
  durationMs: Type.Integer(),
  complete: Type.Boolean({ description: 'The source ended by itself before maxObjects' }),
  counts: Type.Object({
    objects: Type.Integer({ description: 'Objects the source yielded' }),
    valid: Type.Integer({
      description: 'Of those, objects the store would accept (OASIS schemas, pattern grammar, input limits)',
    }),
    invalid: Type.Integer({ description: 'Objects the store would reject' }),
    rejectedBySource: Type.Integer({ description: 'Items the source itself could not turn into objects' }),
    checkpoints: Type.Integer(),
  }),
  types: Type.Record(Type.String(), Type.Integer(), { description: 'Objects per STIX type' }),
  sample: Type.Array(Type.Object({}, { additionalProperties: true }), {
    description: 'The first five objects, as the source yielded them',
  }),
  rejections: Type.Array(Type.Object({ ref: Type.Optional(Type.String()), reason: Type.String() }), {
    description: 'The first five rejections',
  }),
})
