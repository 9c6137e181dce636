/**
 * The benchmarks' CPU line (bench/result.ts `cpuShare`): this process's CPU time, every thread counted, beside
 * the rest of the machine, I/O wait and idle, as parts of the cores × wall time.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { cpuShare } from '../../bench/result.js'

const LINE =
  /^CPU: this process ([\d.]+) s \((\d+) %\), the rest of the machine ([\d.]+) s \((\d+) %\), I\/O wait ([\d.]+) s \((\d+) %\), idle ([\d.]+) s \((\d+) %\) of ([\d.]+) s \((\d+) cores × wall\)$/

/** Spins until this process has used `seconds` more CPU (not wall time: a loaded machine only makes it longer). */
function burn(seconds: number): void {
  const start = process.cpuUsage()
  let x = 0
  for (;;) {
    for (let i = 0; i < 1e5; i++) x += Math.sqrt(i)
    const { user, system } = process.cpuUsage(start)
    if (user + system >= seconds * 1e6 && x > 0) return
  }
}

t.test(
  'counts the CPU this process spent, and the parts make up the whole',
  { skip: !existsSync('/proc/stat') },
  (t) => {
    const share = cpuShare()
    burn(0.4)
    const line = share.stop()
    const m = LINE.exec(line)
    if (!m) return t.fail(`not the expected line: ${line}`)
    const [mine, , rest, , ioWait, , idle, , total] = m.slice(1, 10).map(Number)
    t.ok(mine >= 0.4, `this process ${mine} s after burning 0.4 s of CPU`)
    // the machine's counters tick in 10 ms and each figure is rounded to 0.1 s
    t.ok(Math.abs(mine + rest + ioWait + idle - total) <= 0.25, `${mine} + ${rest} + ${ioWait} + ${idle} ≈ ${total}`)
    const percents = [m[2], m[4], m[6], m[8]].map(Number)
    t.ok(Math.abs(percents.reduce((a, b) => a + b, 0) - 100) <= 4, `percentages ${percents.join(' + ')} ≈ 100`)
    t.end()
  },
)
