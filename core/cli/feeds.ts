import PgBoss from 'pg-boss'
import type { Knex } from 'knex'
import { createEnqueue } from '../infra/enqueue.js'
import { queueRun } from '../feeds/run-queue.js'
import { getRun } from '../feeds/run-service.js'
import { parseArgs, UsageError } from './args.js'
import { withDatabase } from './database.js'
import { formatProgress } from './progress.js'
import type { Command } from './commands.js'

export const feedsList: Command = {
  summary: 'List feeds with their schedule and last run',
  usage: 'crisp feeds list',
  async run(argv) {
    if (parseArgs(argv).positionals.length) throw new UsageError('feeds list takes no arguments')
    await withDatabase(async ({ knex }) => {
      const feeds = await knex('feeds').orderBy('name')
      const last = await knex('feed_runs')
        .distinctOn('feed_id')
        .orderBy([{ column: 'feed_id' }, { column: 'queued_at', order: 'desc' }])
        .select('feed_id', 'status')
      const status = new Map(last.map((r) => [r.feed_id, r.status]))
      for (const f of feeds) {
        const next = f.next_run_at ? f.next_run_at.toISOString() : '-'
        console.log(
          [
            f.id,
            f.name,
            f.source_plugin,
            f.enabled ? 'enabled' : 'disabled',
            f.schedule ?? 'manual',
            `next ${next}`,
            `last ${status.get(f.id) ?? '-'}`,
          ].join('  '),
        )
      }
      if (!feeds.length) console.log('no feeds')
    })
    return 0
  },
}

export const feedsRun: Command = {
  summary:
    'Queue a run of a feed; --wait follows it to the end (exit 0 succeeded, 3 partial: some items rejected, 1 failed)',
  usage: 'crisp feeds run <feed-id> [--wait]',
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, { booleans: ['wait'] })
    if (positionals.length !== 1) throw new UsageError('feeds run needs exactly one feed id')
    return withDatabase(async ({ knex, url }) => {
      const feed = await knex('feeds')
        .where({ id: positionals[0] })
        .first('id')
        .catch(() => undefined)
      if (!feed) throw new UsageError(`no feed ${positionals[0]}`)
      const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 1, supervise: false, schedule: false })
      await boss.start()
      try {
        const run = await queueRun({ knex, jobs: { enqueue: createEnqueue(boss) } }, feed.id, 'manual')
        if (!run) {
          console.error('crisp: a run of this feed is already queued or running')
          return 1
        }
        console.log(`queued run ${run.id}`)
        if (!flags.wait) return 0
        return await follow(knex, run.id)
      } finally {
        await boss.stop({ graceful: false, wait: true })
      }
    })
  },
}

/** Polls the run: a live line on a terminal, a plain line per change otherwise. */
async function follow(knex: Knex, runId: string): Promise<number> {
  const tty = process.stdout.isTTY
  let lastLine = ''
  for (;;) {
    const run = await getRun(knex, runId)
    if (!run) return 1
    const line = formatProgress(run)
    if (tty) process.stdout.write(`\r\x1b[2K${line}`)
    else if (line !== lastLine) console.log(line)
    lastLine = line
    if (run.status !== 'queued' && run.status !== 'running') {
      if (tty) process.stdout.write('\n')
      if (run.error) console.log(`error: ${run.error}`)
      for (const r of run.rejections.slice(0, 5)) console.log(`rejected ${r.ref ?? ''}: ${r.reason}`)
      if (run.status === 'partial')
        console.log(`partial: ${run.counts.rejected} of ${run.counts.fetched} items rejected`)
      return run.status === 'succeeded' ? 0 : run.status === 'partial' ? 3 : 1
    }
    await new Promise((r) => setTimeout(r, tty ? 250 : 1000))
  }
}
