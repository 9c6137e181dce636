import { Type, type Static } from '@sinclair/typebox'
import { literalUnion } from '../model/one-of.js'
import { ROLES } from '../plugin-api/index.js'

// A union of literals (validation errors list the roles; the OpenAPI document shows each one).
export const Role = literalUnion(ROLES, {
  description:
    "viewer < publisher < org-admin (its own organization's users, API keys, trust relationships and feeds) < admin (the platform)",
})
const Email = Type.String({ format: 'email', maxLength: 320 })
const DisplayName = Type.String({ maxLength: 200 })
// The password policy (core/identity/password-policy.ts) says what a good password is; this only bounds it.
const Password = Type.String({ minLength: 1, maxLength: 1024 })
const Uuid = Type.String({ format: 'uuid' })

/**
 * What the user service accepts, whoever calls it: the REST routes use these as their body schemas (and so
 * the OpenAPI document), the service checks them again for the console and the CLI.
 */
export const CreateUserInput = Type.Object(
  { organizationId: Uuid, email: Email, displayName: Type.Optional(DisplayName), role: Role, password: Password },
  { additionalProperties: false },
)
export const UpdateSelfInput = Type.Object(
  { displayName: Type.Optional(DisplayName) },
  { additionalProperties: false, minProperties: 1 },
)
export const UpdateUserInput = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Email),
    role: Type.Optional(Role),
    organizationId: Type.Optional(Uuid),
    isActive: Type.Optional(Type.Boolean({ description: 'false deactivates: every token and session ends at once' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export const ChangePasswordInput = Type.Object(
  { oldPassword: Password, newPassword: Password },
  { additionalProperties: false },
)
export const ResetPasswordInput = Type.Object({ password: Password }, { additionalProperties: false })

export type CreateUserInput = Static<typeof CreateUserInput>
export type UpdateUserInput = Static<typeof UpdateUserInput>
export type ResetPasswordInput = Static<typeof ResetPasswordInput>
