import type { ResourceWithOptions } from 'adminjs'
import type { FastifyBaseLogger } from 'fastify'
import type { ActionDeps } from '../actions/service-actions.js'
import type { ConsoleServices, FeedRunDeps, TrustJobs } from '../services/types.js'
import type { AnonymizedWriter } from '../../core/sharing/index.js'

export interface ResourceDeps extends ActionDeps {
  feedRuns: FeedRunDeps
  /** The app's stored anonymization output (`app.anonymizedOutput`): the object browser reads and fills it as REST does. */
  storedOutput?: Pick<AnonymizedWriter, 'add'>
  services: ConsoleServices
  /** The app's job queue: trust changes in the console enqueue their prefill as REST's do. */
  jobs?: TrustJobs['jobs']
  /** The app's logger: services that log (alert changes) write their lines there. */
  log: FastifyBaseLogger
}

export type ResourceFactory = (deps: ResourceDeps) => ResourceWithOptions

/** Shown on show pages only (computed or long fields). */
export const showOnly = { list: false, filter: false, show: true, edit: false }

/** A read-only resource: list, show and search only. */
export const readOnlyActions = {
  new: { isAccessible: false },
  edit: { isAccessible: false },
  delete: { isAccessible: false },
  bulkDelete: { isAccessible: false },
}

export const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value)
