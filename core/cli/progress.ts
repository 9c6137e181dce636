import type { FeedRunDto } from '../feeds/feed-dto.js'

/** One progress line: status, objects (of the total and percent, when the source said), objects/s, rejections. */
export function formatProgress(run: FeedRunDto): string {
  const c = run.counts
  const seconds = (run.durationMs ?? 0) / 1000
  const rate = seconds > 0 ? Math.round(c.fetched / seconds) : 0
  const of = run.total === null ? '' : `/${run.total} (${run.percent}%)`
  return `${run.status.padEnd(9)} ${c.fetched}${of} objects (${c.new} new, ${c.newVersions} new versions, ${c.unchanged} unchanged)  ${rate} objects/s  ${c.rejected} rejected  ${seconds.toFixed(1)}s`
}
