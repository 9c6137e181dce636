import { readdirSync, readFileSync } from 'node:fs'
import type { Knex } from 'knex'

/**
 * CPU seconds used so far by the PostgreSQL server behind `knex` (its postmaster's children: backends, WAL
 * writer, checkpointer, autovacuum), read from /proc; null when the server is not a local process.
 */
export async function serverCpuSeconds(knex: Knex): Promise<number | null> {
  try {
    const { rows } = await knex.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid')
    // Fields after the command name (which may hold spaces): state, ppid, …, utime (12th), stime (13th).
    const stat = (pid: string | number) => {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return text.slice(text.lastIndexOf(')') + 2).split(' ')
    }
    const postmaster = stat(rows[0].pid)[1]
    let ticks = 0
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const f = stat(pid)
        if (f[1] === postmaster) ticks += Number(f[11]) + Number(f[12])
      } catch {
        // gone meanwhile
      }
    }
    return ticks / 100
  } catch {
    return null
  }
}

/** BENCH_EVENTS_PROFILE=1: time per statement kind (first words of the SQL), summed over every connection. */
export function profileStatements(knex: Knex) {
  const started = new Map<string, { at: number; kind: string }>()
  const totals = new Map<string, { n: number; ms: number }>()
  knex.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    started.set(q.__knexQueryUid, { at: performance.now(), kind: q.sql.replace(/\s+/g, ' ').slice(0, 70) })
  })
  knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string }) => {
    const s = started.get(q.__knexQueryUid)
    if (!s) return
    started.delete(q.__knexQueryUid)
    const t = totals.get(s.kind) ?? { n: 0, ms: 0 }
    t.n++
    t.ms += performance.now() - s.at
    totals.set(s.kind, t)
  })
  return {
    print: () => {
      for (const [kind, t] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
        console.log(`${t.ms.toFixed(0).padStart(7)} ms ${String(t.n).padStart(5)}× ${kind}`)
    },
  }
}
