import { enqueueRun, type RunQueueContext } from './run-queue.js'
import { nextCronTime } from './schedule-cron.js'

/**
 * The scheduler, run by the `maintenance` job every minute (pg-boss 10 allows one cron schedule per queue, so
 * feeds cannot each have their own): feeds whose `next_run_at` is due are locked (SKIP LOCKED, so concurrent
 * ticks on several workers split the work), moved to their next cron time and given a queued run and its job,
 * all in one transaction. A feed whose previous run is still active skips this slot.
 */
export async function enqueueDueFeeds(ctx: RunQueueContext, now = new Date()): Promise<string[]> {
  return ctx.knex.transaction(async (trx) => {
    const due = await trx('feeds')
      .where({ enabled: true })
      .whereNotNull('schedule')
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(100)
      .forUpdate()
      .skipLocked()
      .select('id', 'schedule')
    const ids: string[] = []
    for (const feed of due) {
      // never null here (the query above): the column's type does not know it
      if (feed.schedule === null) continue
      await trx('feeds')
        .where({ id: feed.id })
        .update({ next_run_at: nextCronTime(feed.schedule, now) })
      const run = await enqueueRun(ctx.jobs, trx, feed.id, 'schedule')
      if (run) ids.push(run.id)
    }
    return ids
  })
}
