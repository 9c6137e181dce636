import { Type, type Static } from '@sinclair/typebox'
import { NOT_BLANK } from '../infra/validate-input.js'
import { literalUnion } from '../model/one-of.js'
import { ANONYMIZATION_LEVELS } from '../plugin-api/types.js'

export const Anonymization = literalUnion(ANONYMIZATION_LEVELS, {
  description: 'How strongly data shared at this level is anonymized',
})
const fields = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK }),
  level: Type.Integer({ minimum: 1, maximum: 5, description: '1 (untrusted) … 5 (full trust)' }),
  anonymizationLevel: Anonymization,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
}

/**
 * What the trust-level service accepts, whoever calls it: the REST routes use these as their body schemas
 * (and so the OpenAPI document), the service checks them again for the console.
 */
export const CreateTrustLevelInput = Type.Object(fields, { additionalProperties: false })
export const UpdateTrustLevelInput = Type.Partial(Type.Object(fields), {
  additionalProperties: false,
  minProperties: 1,
})
export type CreateTrustLevelInput = Static<typeof CreateTrustLevelInput>
export type UpdateTrustLevelInput = Static<typeof UpdateTrustLevelInput>
