import { Type, type Static } from '../../core/plugin-api/index.js'

export const otxConfigSchema = Type.Object(
  {
    apiKey: Type.String({ minLength: 1, description: 'OTX API key, sent as X-OTX-API-KEY; never logged' }),
    baseUrl: Type.String({
      pattern: '^https?://',
      default: 'https://otx.alienvault.com',
      description: 'OTX server; only "next" page links on this origin are followed',
    }),
    pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Pulses per page (limit)' }),
    since: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}',
        description: 'First run only: pull pulses modified since this ISO date instead of every subscribed pulse',
      }),
    ),
    indicatorTypes: Type.Array(Type.String({ minLength: 1 }), {
      default: ['malicious-activity'],
      minItems: 1,
      description: 'STIX indicator_types of the indicators',
    }),
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 120000,
      description: 'Longest wait, in ms, for OTX to answer or to send the next part of a page',
    }),
  },
  { additionalProperties: false },
)

export type OtxConfig = Static<typeof otxConfigSchema>
