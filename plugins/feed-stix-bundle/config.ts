import { Type, type Static } from '../../core/plugin-api/index.js'

export const stixBundleConfigSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'http(s) URL of the STIX 2.1 bundle (give url or path, not both)',
      }),
    ),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "File of the STIX 2.1 bundle in the platform's feed files folder, relative to it (give url or path, not both; platform admins only)",
      }),
    ),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Extra request headers, e.g. Authorization; values are never logged',
    }),
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 120000,
      description: 'Longest wait, in ms, for the remote to answer or to send the next part of the body',
    }),
  },
  {
    additionalProperties: false,
    // Ajv (the registry) enforces "exactly one of"; create() checks it again for other validators.
    oneOf: [{ required: ['url'] }, { required: ['path'] }],
  },
)

export type StixBundleConfig = Static<typeof stixBundleConfigSchema>
