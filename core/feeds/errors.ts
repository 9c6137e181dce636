import { AppError, badRequest, conflict } from '../infra/errors.js'
import type { ConfigProblem } from './feed-config.js'

/** Coded errors of the feeds area. */
export const feedInvalid = (problems: ConfigProblem[]) =>
  badRequest('CRISP_FEED_INVALID', `Invalid feed: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
    problems,
  })
export const feedNameTaken = (name: string) =>
  conflict('CRISP_FEED_NAME_TAKEN', `A feed named "${name}" already exists in this organization`)
export const feedRunActive = (runId?: string) =>
  conflict('CRISP_FEED_RUN_ACTIVE', 'A run of this feed is already queued or running', runId ? { runId } : undefined)
export const feedNotFound = () => new AppError(404, 'CRISP_NOT_FOUND', 'Feed not found')
