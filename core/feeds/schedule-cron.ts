import cronParser from 'cron-parser'
import { errorMessage } from '../infra/errors.js'

/** Returns null when `expression` is a valid 5-field cron expression, else the reason. */
export function cronProblem(expression: string): string | null {
  if (expression.trim().split(/\s+/).length !== 5)
    return 'must have 5 fields (minute hour day-of-month month day-of-week)'
  try {
    cronParser.parseExpression(expression, { tz: 'UTC' })
    return null
  } catch (err) {
    return errorMessage(err)
  }
}

/** The next time `expression` fires strictly after `after` (UTC). */
export function nextCronTime(expression: string, after: Date): Date {
  return cronParser.parseExpression(expression, { currentDate: after, tz: 'UTC' }).next().toDate()
}

/** When a feed should next be enqueued: only enabled feeds with a schedule are scheduled. */
export function nextRunAt(feed: { enabled: boolean; schedule: string | null }, now = new Date()): Date | null {
  return feed.enabled && feed.schedule ? nextCronTime(feed.schedule, now) : null
}
