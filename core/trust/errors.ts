import { AppError } from '../infra/errors.js'

/** Coded errors of the trust area. */
export const trustLevelInUse = () =>
  new AppError(409, 'CRISP_TRUST_LEVEL_IN_USE', 'The trust level is used by trust relationships; reassign them first')
export const trustLevelNameTaken = (name: string) =>
  new AppError(409, 'CRISP_TRUST_LEVEL_NAME_TAKEN', `A trust level named "${name}" already exists`)
export const relationshipExists = () =>
  new AppError(409, 'CRISP_TRUST_RELATIONSHIP_EXISTS', 'A relationship between these organizations already exists')
export const relationshipInvalid = (message: string) => new AppError(400, 'CRISP_TRUST_RELATIONSHIP_INVALID', message)
