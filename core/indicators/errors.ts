import { AppError, badRequest } from '../infra/errors.js'

/** Coded errors of publishing an indicator from a value (`POST /api/v1/indicators`). */
export const indicatorErrors = {
  unknownKind: (reason: string) => badRequest('CRISP_INDICATOR_UNKNOWN_KIND', `value: ${reason}`),
  invalidValue: (kind: string, reason: string) =>
    badRequest('CRISP_INDICATOR_INVALID_VALUE', `value: not a valid ${kind}: ${reason}`),
  invalidTime: (field: string, reason: string) => badRequest('CRISP_INDICATOR_INVALID_TIME', `${field}: ${reason}`),
  rejected: (message: string) => badRequest('CRISP_INDICATOR_REJECTED', `The store refused the object: ${message}`),
  observableConflict: (id: string) =>
    new AppError(
      409,
      'CRISP_INDICATOR_OBSERVABLE_CONFLICT',
      `Your organization already published the observable ${id} with other markings; an observable has no versions, so it keeps them: publish this value with the same TLP`,
    ),
}
