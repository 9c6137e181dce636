import { Type, type Static } from '../../core/plugin-api/index.js'

const authSchema = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('none', { description: 'No authentication' }) },
      { additionalProperties: false, description: 'No authentication' },
    ),
    Type.Object(
      {
        type: Type.Literal('basic', { description: 'HTTP Basic authentication' }),
        username: Type.String({ minLength: 1, description: 'Basic auth user name' }),
        password: Type.String({ description: 'Basic auth password; never logged' }),
      },
      { additionalProperties: false, description: 'HTTP Basic authentication' },
    ),
    Type.Object(
      {
        type: Type.Literal('bearer', { description: 'Bearer token (Authorization: Bearer …)' }),
        token: Type.String({ minLength: 1, description: 'The bearer token; never logged' }),
      },
      { additionalProperties: false, description: 'Bearer token' },
    ),
    Type.Object(
      {
        type: Type.Literal('api-key', { description: 'API key in a request header' }),
        header: Type.String({ minLength: 1, description: 'Header carrying the key, e.g. X-API-Key' }),
        value: Type.String({ minLength: 1, description: 'The key; never logged' }),
      },
      { additionalProperties: false, description: 'API key header' },
    ),
  ],
  { default: { type: 'none' }, description: 'How to authenticate to the TAXII server' },
)

export const taxiiConfigSchema = Type.Object(
  {
    collectionUrl: Type.String({
      pattern: '^https?://',
      description: 'URL of the TAXII 2.1 collection: https://host/api-root/collections/{id}/',
    }),
    auth: authSchema,
    pageSize: Type.Integer({ minimum: 1, default: 1000, description: 'Objects per request (limit)' }),
    addedAfter: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}T',
        description: 'First run only: pull objects added after this timestamp instead of the whole collection',
      }),
    ),
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 120000,
      description: 'Longest wait, in ms, for the server to answer or to send the next part of a page',
    }),
  },
  { additionalProperties: false },
)

export type TaxiiConfig = Static<typeof taxiiConfigSchema>
export type TaxiiAuth = Static<typeof authSchema>
