import { AppError, badRequest, forbidden, notFound } from '../infra/errors.js'

/** Coded errors of security events, alerts and their settings. */
export const eventErrors = {
  allRejected: (results: unknown) =>
    badRequest('CRISP_EVENTS_ALL_REJECTED', 'No event was stored: see details for each one', results),
  emptyBatch: () => badRequest('CRISP_EVENTS_EMPTY_BATCH', 'The request holds no event'),
  batchTooLarge: (max: number) => badRequest('CRISP_EVENTS_BATCH_TOO_LARGE', `A batch holds at most ${max} events`),
  badNdjson: (line: number, reason: string) => badRequest('CRISP_EVENTS_INVALID_NDJSON', `line ${line}: ${reason}`),
  scopedKey: (scopes: readonly string[]) => forbidden(`This API key is scoped to ${scopes.join(', ')}`),
  alertNotFound: () => notFound('Alert'),
  eventNotFound: () => notFound('Event'),
  transition: (from: string, to: string) =>
    new AppError(409, 'CRISP_ALERT_INVALID_TRANSITION', `An alert cannot go from ${from} to ${to}`),
  reopenNeedsReason: () => badRequest('CRISP_ALERT_REASON_REQUIRED', 'Reopening an alert needs a reason'),
  assigneeOutsideOrg: () =>
    badRequest('CRISP_ALERT_INVALID_ASSIGNEE', "The assignee must be an active user of the alert's organization"),
  emptyPatch: () => badRequest('CRISP_ALERT_EMPTY_CHANGE', 'Give a status, an assignee or a note'),
  invalidSetting: (message: string) => badRequest('CRISP_ALERT_INVALID_SETTING', message),
  badFilter: (message: string) => badRequest('CRISP_ALERT_INVALID_FILTER', message),
}
