import { enqueueRun, resendOrphanRuns, sendRunJob, type RunQueueContext } from './run-queue.js'
import { nextCronTime } from './schedule-cron.js'

/**
 * The scheduler, run by the `maintenance` job every minute (pg-boss 10 allows one cron schedule per queue, so
 * feeds cannot each have their own): feeds whose `next_run_at` is due are locked (SKIP LOCKED, so concurrent
 * ticks on several workers split the work), moved to their next cron time and given a queued run in the same
 * transaction; the jobs are sent after commit. A feed whose previous run is still active skips this slot.
 */
export async function enqueueDueFeeds(ctx: RunQueueContext, now = new Date()): Promise<string[]> {
  const runIds = await ctx.knex.transaction(async (trx) => {
    const due = (await trx('feeds')
      .where({ enabled: true })
      .whereNotNull('schedule')
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(100)
      .forUpdate()
      .skipLocked()
      .select('id', 'schedule')) as { id: string; schedule: string }[]
    const ids: string[] = []
    for (const feed of due) {
      await trx('feeds').where({ id: feed.id }).update({ next_run_at: nextCronTime(feed.schedule, now) })
      const run = await enqueueRun(ctx, feed.id, 'schedule', trx)
      if (run) ids.push(run.id)
    }
    return ids
  })
  for (const id of runIds) await sendRunJob(ctx, id)
  return runIds
}

/** One maintenance tick for feeds: due schedules, then runs whose job was never sent. */
export async function feedMaintenanceTick(ctx: RunQueueContext): Promise<{ scheduled: number; resent: number }> {
  const scheduled = (await enqueueDueFeeds(ctx)).length
  const resent = await resendOrphanRuns(ctx)
  return { scheduled, resent }
}
