import v8 from 'node:v8'

/**
 * V8's own heuristic lets the old generation grow, before its next full collection, to up to four times what
 * survived the last one. A platform process mostly makes short-lived garbage that outlives a scavenge or two
 * (a feed batch, a page read ahead, an export slice): measured with a million objects, that slack was 130–170 MB
 * of peak RSS above the ≈ 130–140 MB the platform holds, where the data alive at any time is a few megabytes
 * (docs/BENCHMARKS.md, issue 18). A fixed growth factor bounds it without a hard heap cap (which would turn a
 * large but legitimate request into a crash): growing by `percent` % of the surviving heap. 0 leaves V8's own
 * heuristic. A process-wide setting, read by V8 at each full collection: `crisp start` and `crisp worker` set it
 * at start.
 */
export function setHeapGrowth(percent: number): void {
  if (!Number.isSafeInteger(percent) || percent < 0) throw new Error(`heap growth: bad percentage ${percent}`)
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`)
}
