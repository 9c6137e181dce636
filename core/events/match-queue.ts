import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import { QUEUES } from '../jobs/queues.js'
import { isJsonObject } from '../stix/json-object.js'

/** What enqueuing needs of `app.jobs` (see core/infra/jobs.ts). */
export type JobSender = Pick<Jobs, 'enqueue'>

export interface MatchJob {
  organizationId: string
  eventIds: string[]
}

/** A job's data as {@link enqueueMatching} sent it (pg-boss hands it back as parsed JSON). */
export function isMatchJob(data: unknown): data is MatchJob {
  return (
    isJsonObject(data) &&
    typeof data.organizationId === 'string' &&
    Array.isArray(data.eventIds) &&
    data.eventIds.every((id) => typeof id === 'string')
  )
}

/** Events per matching job: one pass over the organization's shared intelligence matches them all. */
const MATCH_BATCH = 5000

/** Enqueues the matching of the events, in the caller's transaction. */
export async function enqueueMatching(
  trx: Knex.Transaction,
  jobs: JobSender,
  organizationId: string,
  eventIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < eventIds.length; start += MATCH_BATCH) {
    const data: MatchJob = { organizationId, eventIds: eventIds.slice(start, start + MATCH_BATCH) }
    await jobs.enqueue(trx, QUEUES.eventsMatch, data)
  }
}
