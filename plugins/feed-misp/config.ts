import { Type, type Static } from '../../core/plugin-api/index.js'

export const mispConfigSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description: 'Base URL of the MISP feed: the folder holding manifest.json and the <uuid>.json events',
    }),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Extra request headers, e.g. Authorization for a private feed; values are never logged',
    }),
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 120000,
      description: 'Longest wait, in ms, for the remote to answer or to send the next part of a body',
    }),
    indicatorTypes: Type.Array(Type.String({ minLength: 1 }), {
      default: ['malicious-activity'],
      minItems: 1,
      description: 'STIX indicator_types of the indicators made from to_ids attributes',
    }),
    confidence: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100, description: 'STIX confidence (0-100) set on every indicator' }),
    ),
  },
  { additionalProperties: false },
)

export type MispConfig = Static<typeof mispConfigSchema>
