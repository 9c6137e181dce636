/**
 * `npm run fuzz:egress [-- --objects 100000] [--seed n] [--json leaks.json]`: the unit-level leak hunter
 * (test/sharing/leak-hunter.test.ts) run for long. Prints what it tried (objects, canaries, types, spellings),
 * every leaking position (level × kind × where), a stripped counterexample per level, and exits 1 on a leak.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { LEVELS } from './canaries.js'
import { createEgress } from './egress.js'
import { formatClasses, formatMatrix, formatSurvey, LeakError, survey } from './hunt.js'
import { minimize } from './minimize.js'
import { describeLeak } from './leaks.js'

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '100000' }, seed: { type: 'string' }, json: { type: 'string' } },
})
const objects = Number(values.objects)
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 0x7fffffff)
if (!Number.isInteger(objects) || objects < 1 || !Number.isInteger(seed)) {
  console.error('usage: fuzz.ts --objects <n> [--seed <int>] [--json <file>]')
  process.exit(2)
}

console.log(
  `leak hunter: ${objects} objects, seed ${seed} (replay: npm run fuzz:egress -- --objects ${objects} --seed ${seed})`,
)
const started = Date.now()
const egress = await createEgress()
const result = await survey(egress, {
  seed,
  objects,
  onProgress: (s) =>
    console.log(
      `  ${s.objects} objects, ${s.canaries} canaries, ${s.leaks} leaks in ${s.classes.size} positions (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    ),
})
console.log(`\n${formatSurvey(result)}`)
console.log(`spellings planted: ${[...result.spellings].sort().join(', ')}`)
console.log(
  `${((Date.now() - started) / 1000).toFixed(1)} s, ${(result.objects / ((Date.now() - started) / 1000)).toFixed(0)} objects/s`,
)
if (result.classes.size) {
  console.log(
    `\n${formatMatrix(result).join('\n')}\n\nleaking positions (level, kind, where it was planted, how often, which outputs):`,
  )
  console.log(formatClasses(result).join('\n'))
  for (const level of LEVELS) {
    const first = [...result.classes.values()].find((c) => c.level === level)
    if (!first) continue
    const minimal = await minimize(
      egress,
      new LeakError(first.example, { type: String(first.object.type), object: first.object, planted: [], valid: true }),
    )
    console.log(`\n${level}: ${describeLeak(first.example)}\n${JSON.stringify(minimal, null, 1)}`)
  }
}
if (values.json) {
  const classes = [...result.classes.values()].map((c) => ({
    ...c,
    channels: [...c.channels],
    spellings: [...c.spellings],
  }))
  writeFileSync(
    values.json,
    JSON.stringify({ seed, objects: result.objects, canaries: result.canaries, leaks: result.leaks, classes }, null, 1),
  )
  console.log(`\nwritten: ${values.json}`)
}
console.log(
  `\n${result.leaks ? `FAIL: ${result.leaks} leaks` : 'OK: no leak'} (seed ${seed}, ${result.objects} objects, ${result.canaries} canaries)`,
)
process.exit(result.leaks || result.errors.size ? 1 : 0)
