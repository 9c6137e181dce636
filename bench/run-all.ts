/**
 * `npm run bench`: the issue-18 benchmarks one after the other, each in its own process, at BENCH_OBJECTS
 * objects (default 1,000,000; 100,000 for a quick run). Prints each benchmark's output as it comes, the load
 * average when each starts and ends, and at the end the RESULT lines of all of them (bench/result.ts), one per
 * figure. BENCH_RUNS=3 runs the whole set three times (in turn, so no figure gets all the quiet minutes) and
 * adds one MEDIAN line per figure: the median of each field over the runs, the ratio being the median of the
 * runs' ratios. BENCH_ONLY=ingest,taxii runs a subset. The TAXII POST ingest is left out unless BENCH_TAXII_POST is
 * set (it is no figure of the table). Exit code 1 when a benchmark fails or a figure is missing.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { loadAverage, parseResult, resultLine, type Figure } from './result.js'

const BENCHMARKS: { file: string; figures: string[] }[] = [
  { file: 'ingest', figures: ['ingest-first', 'ingest-repeat'] },
  {
    file: 'taxii',
    figures: [
      'taxii-own',
      'taxii-anonymized-first',
      'taxii-anonymized-cold',
      'taxii-anonymized-repeat',
      'taxii-paced',
      'taxii-paced-cold',
      'anonymize-prefill',
    ],
  },
  { file: 'export', figures: ['export-stix-bundle', 'export-csv'] },
  { file: 'ingest-1gb', figures: ['ingest-1gb'] },
]

const objects = process.env.BENCH_OBJECTS ?? '1000000'
const runs = Number(process.env.BENCH_RUNS ?? 1)
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
// Run as compiled JavaScript (npm run bench) or through tsx: the siblings are run the same way.
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/** Runs one benchmark, echoing its output; its RESULT lines and exit code. */
async function runOne(file: string): Promise<{ results: string[]; code: number | null }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(new URL(`./${file}${extension}`, import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_OBJECTS: objects, BENCH_TAXII_POST: process.env.BENCH_TAXII_POST ?? '0' },
    },
  )
  const results: string[] = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  for await (const line of createInterface({ input: child.stdout })) {
    console.log(`  ${line}`)
    if (line.startsWith('RESULT ')) results.push(line)
  }
  return { results, code: await exited }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const medianOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null)
  return known.length ? median(known) : null
}

/** `MEDIAN <name> …` over the runs' RESULT lines of each figure, in the RESULT format. */
function medianLines(lines: string[]): string[] {
  const byName = new Map<string, Figure[]>()
  for (const figure of lines.map(parseResult))
    if (figure) byName.set(figure.name, [...(byName.get(figure.name) ?? []), figure])
  return [...byName].map(([name, figures]) => {
    const ratio = medianOrNull(figures.map((f) => (f.limitPerS ? f.objectsPerS / f.limitPerS : null)))
    const figure = {
      name,
      objectsPerS: median(figures.map((f) => f.objectsPerS)),
      limitPerS: medianOrNull(figures.map((f) => f.limitPerS)),
      p99Ms: medianOrNull(figures.map((f) => f.p99Ms)),
      rssMb: medianOrNull(figures.map((f) => f.rssMb)),
    }
    return `${resultLine(figure, { tag: 'MEDIAN', ratio })} runs=${figures.length}`
  })
}

async function main() {
  const table: string[] = []
  const failures: string[] = []
  for (let run = 1; run <= runs; run++) {
    for (const { file, figures } of BENCHMARKS.filter((b) => !only || only.includes(b.file))) {
      const start = loadAverage()
      console.log(
        `== ${file} (BENCH_OBJECTS=${objects}${runs > 1 ? `, run ${run} of ${runs}` : ''}), load average ${start}`,
      )
      const started = performance.now()
      const { results, code } = await runOne(file)
      const end = loadAverage()
      console.log(
        `== ${file} ended with ${code} after ${((performance.now() - started) / 1000).toFixed(0)} s, load average ${end}`,
      )
      if (code !== 0) failures.push(`${file} (run ${run}) exited with ${code}`)
      for (const name of figures)
        if (!results.some((r) => r.startsWith(`RESULT ${name} `))) failures.push(`${name} (run ${run}): no RESULT line`)
      table.push(
        `# ${file}${runs > 1 ? `, run ${run}` : ''}: load average ${start} at start, ${end} at end`,
        ...results,
      )
    }
  }
  console.log(`\n== results, BENCH_OBJECTS=${objects}`)
  for (const line of table) console.log(line)
  if (runs > 1) for (const line of medianLines(table)) console.log(line)
  if (failures.length) {
    console.error(`failed: ${failures.join('; ')}`)
    process.exitCode = 1
  }
}

await main()
