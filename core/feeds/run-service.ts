import type { Knex } from 'knex'
import { recordAudit } from '../audit/record.js'
import { paginate, type PageRequest } from '../infra/paging.js'
import type { FeedServiceContext } from './feed-service.js'
import { loadFeed } from './feed-service.js'
import type { FeedRunRow } from '../model/tables.js'
import { feedRunDto, type FeedRunDto } from './feed-dto.js'
import { feedRunActive } from './errors.js'
import { enqueueRun, type RunQueueContext } from './run-queue.js'

/**
 * Queues a manual run of a feed the actor may manage; 409 when one is already queued or running. The run, its
 * job and the audit entry commit together.
 */
export async function requestRun(
  ctx: FeedServiceContext & { queue: RunQueueContext },
  feedId: string,
): Promise<FeedRunDto> {
  await loadFeed(ctx, feedId)
  const run = await ctx.knex.transaction(async (trx) => {
    const queued = await enqueueRun(ctx.queue.jobs, trx, feedId, 'manual')
    if (queued)
      await recordAudit(trx, {
        action: 'feed.run',
        actor: ctx.actor,
        ip: ctx.ip,
        targetType: 'feed',
        targetId: feedId,
        details: { runId: queued.id },
      })
    return queued
  })
  if (!run) {
    const active = await ctx
      .knex('feed_runs')
      .where({ feed_id: feedId })
      .whereIn('status', ['queued', 'running'])
      .first('id')
    throw feedRunActive(active?.id)
  }
  return feedRunDto(run, { withRejections: true }) // just queued: none yet
}

/** Runs of a feed, newest first; their rejections only for the feed's own organization. */
export async function listRuns(
  ctx: Pick<FeedServiceContext, 'knex' | 'actor'>,
  feedId: string,
  page: PageRequest,
): Promise<{ items: FeedRunDto[]; nextCursor: string | null }> {
  const feed = await loadFeed(ctx, feedId)
  const withRejections = ctx.actor.orgId === feed.organization_id
  const query = ctx.knex('feed_runs').where({ feed_id: feedId })
  const { rows, nextCursor } = await paginate<FeedRunRow>(query, {
    column: 'id',
    direction: 'desc',
    sortBy: { table: 'feed_runs', column: 'queued_at' },
    ...page,
  })
  return { items: rows.map((row) => feedRunDto(row, { withRejections })), nextCursor }
}

/** One run by id (the CLI's progress polling: an operator of the platform, who sees everything). */
export async function getRun(knex: Knex, runId: string): Promise<FeedRunDto | null> {
  const row = await knex('feed_runs').where({ id: runId }).first()
  return row ? feedRunDto(row, { withRejections: true }) : null
}
