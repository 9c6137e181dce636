import type { FeedRunDto } from '../feeds/feed-dto.js'

/** One progress line: status, objects, objects/s, rejections. */
export function formatProgress(run: FeedRunDto): string {
  const c = run.counts
  const seconds = (run.durationMs ?? 0) / 1000
  const rate = seconds > 0 ? Math.round(c.fetched / seconds) : 0
  return `${run.status.padEnd(9)} ${c.fetched} objects (${c.new} new, ${c.newVersions} new versions, ${c.unchanged} unchanged)  ${rate} objects/s  ${c.rejected} rejected  ${seconds.toFixed(1)}s`
}
