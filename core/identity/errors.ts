import { AppError } from '../infra/errors.js'

/** Coded errors of the identity area (users, organizations, sessions, API keys). */
export const invalidCredentials = () => new AppError(401, 'CRISP_AUTH_INVALID_CREDENTIALS', 'Invalid email or password')
export const invalidRefreshToken = () =>
  new AppError(401, 'CRISP_AUTH_INVALID_REFRESH_TOKEN', 'Refresh token is invalid, expired or revoked')
export const loginLocked = (retryAfterSeconds: number) =>
  new AppError(429, 'CRISP_AUTH_TOO_MANY_FAILURES', `Too many failed logins; retry in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  })
export const weakPassword = (problems: string[]) =>
  new AppError(400, 'CRISP_PASSWORD_POLICY', `Password rejected: ${problems.join('; ')}`, { problems })
export const wrongOldPassword = () => new AppError(400, 'CRISP_PASSWORD_OLD_MISMATCH', 'The current password is wrong')
export const emailTaken = (email: string) =>
  new AppError(409, 'CRISP_USER_EMAIL_TAKEN', `A user with email ${email} already exists`)
export const orgNameTaken = (name: string) =>
  new AppError(409, 'CRISP_ORGANIZATION_NAME_TAKEN', `An organization named "${name}" already exists`)
export const orgInUse = () =>
  new AppError(409, 'CRISP_ORGANIZATION_IN_USE', 'The organization still has users; move or remove them first')
export const unknownOrg = (id: string) => new AppError(400, 'CRISP_ORGANIZATION_UNKNOWN', `No organization ${id}`)
