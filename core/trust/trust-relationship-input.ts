import { Type, type Static } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const Notes = Type.String({ maxLength: 2000 })

/**
 * What the trust-relationship service accepts, whoever calls it: the REST routes use these as their body
 * schemas (and so the OpenAPI document), the service checks them again for the console.
 */
export const CreateTrustRelationshipInput = Type.Object(
  {
    trustorOrganizationId: Type.Optional(Type.String({ format: 'uuid', description: 'Defaults to your organization' })),
    trusteeOrganizationId: Uuid,
    trustLevelId: Uuid,
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false },
)
export const UpdateTrustRelationshipInput = Type.Object(
  { trustLevelId: Type.Optional(Uuid), notes: Type.Optional(Notes) },
  { additionalProperties: false, minProperties: 1 },
)
export type CreateTrustRelationshipInput = Static<typeof CreateTrustRelationshipInput>
export type UpdateTrustRelationshipInput = Static<typeof UpdateTrustRelationshipInput>
