import type PgBoss from 'pg-boss'

/** A job as a worker receives it (core/infra/jobs.ts): its payload is JSON, read back untyped. */
type ReceivedJob = PgBoss.Job<Record<string, unknown>>

/**
 * The id a job's payload names (`runId`, `exportJobId`), or null when the payload holds none: pg-boss stores
 * payloads as JSON, so what comes back is checked, not assumed.
 */
export function payloadId(job: ReceivedJob, field: string): string | null {
  const value = job.data[field]
  return typeof value === 'string' ? value : null
}

/** True for a job delivered with its metadata (a worker registered with `includeMetadata: true`). */
export function hasMetadata(job: ReceivedJob): job is PgBoss.JobWithMetadata<Record<string, unknown>> {
  return (
    'retryCount' in job &&
    typeof job.retryCount === 'number' &&
    'retryLimit' in job &&
    typeof job.retryLimit === 'number'
  )
}
