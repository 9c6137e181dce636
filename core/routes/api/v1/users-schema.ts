import { Type } from '@sinclair/typebox'
import { Role } from './schemas.js'

/** A user as the API shows it: never a hash, never the token version. */
export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  organizationId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.String(),
  role: Role,
  isActive: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})

const Email = Type.String({ format: 'email', maxLength: 320 })
const DisplayName = Type.String({ maxLength: 200 })
const Password = Type.String({ minLength: 1, maxLength: 1024 })

export const CreateUserBody = Type.Object(
  { organizationId: Type.String({ format: 'uuid' }), email: Email, displayName: Type.Optional(DisplayName), role: Role, password: Password },
  { additionalProperties: false },
)
export const UpdateSelfBody = Type.Object({ displayName: Type.Optional(DisplayName) }, { additionalProperties: false, minProperties: 1 })
export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Email),
    role: Type.Optional(Role),
    organizationId: Type.Optional(Type.String({ format: 'uuid' })),
    isActive: Type.Optional(Type.Boolean({ description: 'false deactivates: every token and session ends at once' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export const ChangePasswordBody = Type.Object({ oldPassword: Password, newPassword: Password }, { additionalProperties: false })
export const ResetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false })
