import type { Knex } from 'knex'
import type { Jobs } from '../infra/jobs.js'
import type { Logger } from 'pino'
import { SourceDataError, type FeedObjectText, type FeedSource } from '../plugin-api/index.js'
import { ObjectText } from '../store/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { Config } from '../../config/load.js'
import type { FeedRow, FeedRunRow } from '../model/tables.js'
import type { StoreObjects } from './store-port.js'
import { createBatchWriter } from './batch-writer.js'
import { claimRun, finishRun, LeaseLostError, recordTotal, releaseRun, renewLease } from './run-state.js'
import { heartbeatSeconds } from './run-takeover.js'
import { FEED_PULL_MAX_ATTEMPTS } from '../jobs/queues.js'
import type { PlatformMetrics } from '../infra/metrics.js'
import type { SecretBox } from '../infra/secret-box.js'
import { FeedSecretUnreadableError, openFeedConfig } from './secrets-at-rest.js'
import { errorMessage } from '../infra/errors.js'

export interface RunFeedContext {
  knex: Knex
  registry: PluginRegistry
  storeObjects: StoreObjects
  /** Opens the feed's secrets (sealed at rest) for its source, and only there. */
  secrets: SecretBox
  feeds: Config['feeds']
  log: Pick<Logger, 'info' | 'warn' | 'error'>
  /** Objects stored and run outcomes (absent: not counted). */
  metrics?: Pick<PlatformMetrics, 'objectsIngested' | 'feedRunFinished'>
  /** Enqueues the prefill of the stored anonymization output of what a run stored (absent: not enqueued). */
  jobs?: Pick<Jobs, 'enqueue'>
}

/** Where the job stands in pg-boss's retries (`includeMetadata`). */
export interface AttemptInfo {
  retryCount: number
  retryLimit: number
}

/** The source's data is unusable, or the feed cannot run at all: fail the run, do not retry. */
class FatalRunError extends Error {}

async function openSource(ctx: RunFeedContext, feed: FeedRow): Promise<FeedSource> {
  const plugin = ctx.registry.get('feed-source', feed.source_plugin)
  if (!plugin) throw new FatalRunError(`feed-source plugin "${feed.source_plugin}" is not loaded`)
  let config: Record<string, unknown>
  try {
    config = openFeedConfig(ctx.secrets, feed)
  } catch (err) {
    // A key that does not open the feed's secrets will not open them on a retry either.
    throw err instanceof FeedSecretUnreadableError ? new FatalRunError(err.message) : err
  }
  try {
    // A saved feed was checked when saved: local files were refused then unless a platform admin set it up.
    return await plugin.impl.create(config, { localFiles: true })
  } catch (err) {
    throw new FatalRunError(`feed-source "${feed.source_plugin}" refused the feed's config: ${errorMessage(err)}`)
  }
}

/** A source's object text, for the store: its parse gives the object, or the source's rejection. */
function objectText(item: FeedObjectText): ObjectText {
  return new ObjectText(item.text, () => {
    const parsed = item.parse()
    return parsed.kind === 'object'
      ? { ok: true, object: parsed.object }
      : { ok: false, message: parsed.reason, ref: parsed.ref }
  })
}

async function pullInto(ctx: RunFeedContext, run: FeedRunRow, feed: FeedRow, signal: AbortSignal): Promise<void> {
  const source = await openSource(ctx, feed)
  const writer = createBatchWriter({
    knex: ctx.knex,
    run,
    feed,
    storeObjects: ctx.storeObjects,
    batchSize: ctx.feeds.batchSize,
    metrics: ctx.metrics,
    jobs: ctx.jobs,
  })
  writer.resumeFrom(run.rejections.length)
  try {
    for await (const item of source.pull({ feedId: feed.id, checkpoint: feed.checkpoint, signal })) {
      if (item.kind === 'object') await writer.object(item.object)
      else if (item.kind === 'object-text') await writer.object(objectText(item))
      else if (item.kind === 'checkpoint') await writer.checkpoint(item.checkpoint)
      else if (item.kind === 'total') await recordTotal(ctx.knex, run, item.total)
      else await writer.rejected({ ref: item.ref, reason: item.reason })
    }
    signal.throwIfAborted()
  } catch (err) {
    // The batch still committing was complete before this failure: let it finish (or fail first) as it
    // would have without the pipeline, so the run's outcome is decided only after it.
    await writer.settle()
    throw err
  }
  await writer.flush()
}

/** The lease of an attempt: never longer than the run may take. */
export const leaseSeconds = (feeds: Pick<Config['feeds'], 'leaseSeconds' | 'runTimeout'>) =>
  Math.min(feeds.leaseSeconds, feeds.runTimeout)

/**
 * Renews the attempt's lease every third of it while it runs. A renewal that finds the run no longer owned
 * aborts the attempt; one that cannot reach the database is skipped (the next batch fails the same way, and
 * if the attempt cannot even give the run back, the lease runs out and another worker takes the run over).
 */
function keepLease(ctx: RunFeedContext, run: FeedRunRow, lost: AbortController): () => void {
  const lease = leaseSeconds(ctx.feeds)
  const timer = setInterval(
    () => {
      renewLease(ctx.knex, run, lease).then(
        (owned) => owned || lost.abort(new LeaseLostError()),
        (err: unknown) =>
          ctx.log.warn(
            { runId: run.id, err: { message: errorMessage(err) } },
            'feed run lease not renewed (database unreachable)',
          ),
      )
    },
    heartbeatSeconds(lease) * 1000,
  )
  return () => clearInterval(timer)
}

/**
 * Executes one attempt of a feed run (the `feed.pull` job). Idempotent: a finished run, or one another live
 * attempt owns, is left alone. Objects go in batches through the store; on failure what was committed stays
 * and the checkpoint stays where the last committed checkpoint put it, so the retry resumes there and the
 * store's (id, modified) dedupe absorbs what is fetched twice.
 *
 * - `SourceDataError` (or a feed that cannot run): the run fails, no retry.
 * - anything else (`SourceUnavailableError`, network, database, abort on shutdown/timeout): the run goes back
 *   to `queued` and the error is rethrown so pg-boss retries with backoff; on the last attempt the run is
 *   marked failed before rethrowing (pg-boss then dead-letters the job).
 * - the lease is renewed while the attempt runs; if it cannot be (taken over), the attempt stops writing.
 */
export async function runFeed(
  ctx: RunFeedContext,
  runId: string,
  attempt: AttemptInfo,
  shutdown: AbortSignal,
): Promise<void> {
  const run = await claimRun(ctx.knex, runId, leaseSeconds(ctx.feeds))
  if (!run) return
  const feed = await ctx.knex('feeds').where({ id: run.feed_id }).first()
  if (!feed) return
  ctx.log.info({ runId, feedId: feed.id, attempt: run.attempts }, 'feed run attempt started')
  const lost = new AbortController()
  const stopRenewing = keepLease(ctx, run, lost)
  try {
    await attemptRun(
      ctx,
      run,
      feed,
      attempt,
      AbortSignal.any([shutdown, lost.signal, AbortSignal.timeout(ctx.feeds.runTimeout * 1000)]),
    )
  } finally {
    stopRenewing()
  }
}

async function attemptRun(
  ctx: RunFeedContext,
  run: FeedRunRow,
  feed: FeedRow,
  attempt: AttemptInfo,
  signal: AbortSignal,
): Promise<void> {
  const runId = run.id
  const log = { runId, feedId: feed.id, attempt: run.attempts }
  try {
    await pullInto(ctx, run, feed, signal)
    const status = await finishRun(ctx.knex, run, { status: 'completed' })
    if (status === 'succeeded' || status === 'partial') ctx.metrics?.feedRunFinished(status)
    if (status)
      ctx.log.info(
        { ...log, status },
        status === 'partial' ? 'feed run finished with rejected items (partial)' : 'feed run succeeded',
      )
  } catch (err) {
    if (err instanceof LeaseLostError || signal.reason instanceof LeaseLostError)
      return ctx.log.warn(log, 'feed run lost its lease; stopping')
    const reason = signal.aborted ? `aborted: ${errorMessage(signal.reason)}` : errorMessage(err)
    if (err instanceof SourceDataError || err instanceof FatalRunError) {
      ctx.log.warn({ ...log, reason }, 'feed run failed (not retried)')
      if (await finishRun(ctx.knex, run, { status: 'failed', error: reason })) ctx.metrics?.feedRunFinished('failed')
      return
    }
    if (attempt.retryCount >= attempt.retryLimit || run.attempts >= FEED_PULL_MAX_ATTEMPTS) {
      ctx.log.error({ ...log, reason }, 'feed run failed after its last retry (dead-lettered)')
      if (
        await finishRun(ctx.knex, run, {
          status: 'failed',
          error: `gave up after ${run.attempts} attempts (dead-lettered): ${reason}`,
        })
      )
        ctx.metrics?.feedRunFinished('failed')
    } else {
      ctx.log.warn({ ...log, reason }, 'feed run attempt failed; it will be retried')
      await releaseRun(ctx.knex, run, `attempt ${run.attempts} failed, retrying: ${reason}`)
      ctx.metrics?.feedRunFinished('retried')
    }
    throw err
  }
}
