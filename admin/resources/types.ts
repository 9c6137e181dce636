import type { ResourceWithOptions } from 'adminjs'
import type { FastifyBaseLogger } from 'fastify'
import type { ActionDeps } from '../actions/service-actions.js'
import type { ConsoleServices, FeedRunDeps } from '../services/types.js'

export interface ResourceDeps extends ActionDeps {
  feedRuns: FeedRunDeps
  services: ConsoleServices
  /** The app's logger: services that log (alert changes) write their lines there. */
  log: FastifyBaseLogger
}

export type ResourceFactory = (deps: ResourceDeps) => ResourceWithOptions

/** Shown on show pages only (computed or long fields). */
export const showOnly = { list: false, filter: false, show: true, edit: false }
export const hidden = { list: false, filter: false, show: false, edit: false }
/** Shown everywhere but never edited (ids, timestamps, server-managed columns). */
export const readOnly = { list: true, filter: true, show: true, edit: false }

/** A read-only resource: list, show and search only. */
export const readOnlyActions = {
  new: { isAccessible: false },
  edit: { isAccessible: false },
  delete: { isAccessible: false },
  bulkDelete: { isAccessible: false },
}

export const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value))
