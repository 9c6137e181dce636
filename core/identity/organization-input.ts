import { Type, type Static } from '@sinclair/typebox'
import { NOT_BLANK } from '../infra/validate-input.js'
import { INDUSTRY_SECTORS } from './org-identity.js'

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: NOT_BLANK }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  contactEmail: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])),
  sectors: Type.Optional(
    Type.Array(Type.String({ enum: [...INDUSTRY_SECTORS] }), {
      uniqueItems: true,
      maxItems: INDUSTRY_SECTORS.length,
      description: "Sectors of the STIX 2.1 industry-sector-ov vocabulary; stated by the organization's STIX identity",
    }),
  ),
  contactInformation: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 1000, pattern: NOT_BLANK }), Type.Null()], {
      description: "The identity's contact_information (e-mail, phone…); the contact e-mail when absent",
    }),
  ),
}

/**
 * What the organization service accepts, whoever calls it: the REST routes use these as their body schemas
 * (and so the OpenAPI document), the service checks them again for the console and the CLI.
 */
export const CreateOrganizationInput = Type.Object(fields, { additionalProperties: false })
export const UpdateOrganizationInput = Type.Object(
  { ...fields, name: Type.Optional(fields.name) },
  { additionalProperties: false, minProperties: 1 },
)
export type CreateOrganizationInput = Static<typeof CreateOrganizationInput>
export type UpdateOrganizationInput = Static<typeof UpdateOrganizationInput>
