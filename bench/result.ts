import { readFileSync } from 'node:fs'
import os from 'node:os'
import v8 from 'node:v8'

/** One figure of issue 18: a throughput beside the physical limit measured in the same run. */
export interface Figure {
  name: string
  objectsPerS: number
  /** The limit measured in the same run (objects/s), or null where there is none. */
  limitPerS: number | null
  p99Ms: number | null
  rssMb: number | null
}

const whole = (n: number | null) => (n === null ? '-' : String(Math.round(n)))

/**
 * The machine-readable line a benchmark ends with, one per figure (bench/run-all.ts collects them):
 * `RESULT <name> objects_per_s=<n> limit_per_s=<m> ratio=<r> p99_ms=<p> rss_mb=<r>`, `-` where there is no
 * value. On a shared machine the ratio to the limit is the figure to compare, not the absolute rate. `MEDIAN`
 * lines (bench/run-all.ts, medians over runs) have the same fields, with the median of the runs' ratios.
 */
export function resultLine(f: Figure, options: { tag?: 'RESULT' | 'MEDIAN'; ratio?: number | null } = {}): string {
  const r = options.ratio !== undefined ? options.ratio : f.limitPerS ? f.objectsPerS / f.limitPerS : null
  const ratio = r === null ? '-' : r.toFixed(3)
  return `${options.tag ?? 'RESULT'} ${f.name} objects_per_s=${whole(f.objectsPerS)} limit_per_s=${whole(f.limitPerS)} ratio=${ratio} p99_ms=${whole(f.p99Ms)} rss_mb=${whole(f.rssMb)}`
}

/** The 1, 5 and 15 minute load averages, as printed beside every run. */
export const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/** Resident set size of process `pid` in bytes (from /proc), or null when it cannot be read. */
function rssOf(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'))
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : null
  } catch {
    return null
  }
}

/** Where a process's memory is at one instant: V8's heap spaces (committed, MB) and what lives outside the heap. */
function memoryDetail(): string {
  const mb = (n: number) => (n / 1e6).toFixed(0)
  const spaces = v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_size >= 1e6)
    .map((s) => `${s.space_name.replace(/_space$/, '')} ${mb(s.space_size)} (${mb(s.space_used_size)} used)`)
  const m = process.memoryUsage()
  return `heap: ${spaces.join(', ')}; external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`
}

/**
 * Peak RSS of this process (no `pid`) or of another local process, sampled every 50 ms from `reset()` on;
 * `peakMb()` reads it. The 50 ms sampling can miss a shorter spike: it measures the steady working set. For
 * this process, `atPeak()` tells where the memory was when the peak was sampled.
 */
export function rssSampler(pid?: number) {
  const read = () => (pid === undefined ? process.memoryUsage().rss : (rssOf(pid) ?? 0))
  // Another process's heap is out of reach: its detail stays empty.
  const detailNow = pid === undefined ? memoryDetail : () => ''
  let peak = read()
  let detail = detailNow()
  const sample = () => {
    const rss = read()
    if (rss <= peak) return
    peak = rss
    detail = detailNow()
  }
  const timer = setInterval(sample, 50)
  return {
    reset: () => {
      peak = read()
      detail = detailNow()
      return peak
    },
    peakMb: () => Math.max(peak, read()) / 1e6,
    atPeak: () => detail,
    stop: () => clearInterval(timer),
  }
}

/** The figure a RESULT line carries (the inverse of `resultLine`), or null when the line is none. */
export function parseResult(line: string): Figure | null {
  const m = /^RESULT (\S+) objects_per_s=(\S+) limit_per_s=(\S+) ratio=\S+ p99_ms=(\S+) rss_mb=(\S+)$/.exec(line)
  if (!m) return null
  const value = (s: string) => (s === '-' ? null : Number(s))
  return { name: m[1], objectsPerS: Number(m[2]), limitPerS: value(m[3]), p99Ms: value(m[4]), rssMb: value(m[5]) }
}

/** The whole machine's CPU time so far, in seconds (from /proc/stat), or null off Linux. */
function machineCpuSeconds(): { busy: number; ioWait: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0)
    const hz = 100 // USER_HZ, 100 on every Linux architecture Node runs on
    return { busy: (total - fields[3] - fields[4]) / hz, ioWait: fields[4] / hz, total: total / hz }
  } catch {
    return null
  }
}

/**
 * Where the machine's CPU went over a phase: this process (every thread: JavaScript, GC helpers, libuv), the
 * rest of the machine (on this benchmark machine, PostgreSQL), waiting for the disk, and idle, against what the
 * cores could give. It tells a phase bound by all the CPU there is from one that leaves a core idle: only the
 * second can gain from moving work to another thread or process.
 */
export function cpuShare() {
  const machine = machineCpuSeconds()
  const own = process.cpuUsage()
  return {
    /** `CPU: this process X s (x %), the rest …, I/O wait …, idle … of Z s (N cores × wall)`; '' without /proc/stat. */
    stop(): string {
      const now = machineCpuSeconds()
      if (!machine || !now) return ''
      const { user, system } = process.cpuUsage(own)
      const mine = (user + system) / 1e6
      const rest = Math.max(0, now.busy - machine.busy - mine)
      const ioWait = now.ioWait - machine.ioWait
      const available = now.total - machine.total
      const idle = Math.max(0, available - mine - rest - ioWait)
      const part = (s: number) => `${s.toFixed(1)} s (${((100 * s) / available).toFixed(0)} %)`
      return `CPU: this process ${part(mine)}, the rest of the machine ${part(rest)}, I/O wait ${part(ioWait)}, idle ${part(idle)} of ${available.toFixed(1)} s (${os.cpus().length} cores × wall)`
    },
  }
}
