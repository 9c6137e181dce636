/**
 * The leak hunter, unit level (issue 12, item 4): objects of every type the OASIS schemas define, canaries in
 * every string position and spelling, sent through the default anonymization strategy at every level and out
 * through JSON (REST, TAXII) and every registered exporter; no canary a level must hide may come out.
 * `LEAK_HUNTER_SEED=<n>` replays a run; `npm run fuzz:egress` runs the same hunt for long.
 */
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { loadSchemaRegistry } from '../../core/stix/schema-registry.js'
import {
  CANARY_KINDS,
  LEVELS,
  MUST_HIDE,
  normalize,
  searchable,
  spell,
  SPELLINGS,
  type CanaryKind,
} from './leak-hunter/canaries.js'
import { createEgress, type Egress } from './leak-hunter/egress.js'
import {
  counterexample,
  formatClasses,
  formatMatrix,
  formatSurvey,
  LeakError,
  survey,
  type Survey,
} from './leak-hunter/hunt.js'
import { minimize } from './leak-hunter/minimize.js'
import { describeLeak } from './leak-hunter/leaks.js'
import { objectArbitrary } from './leak-hunter/objects.js'
import { HUNTED_TYPES, STIX_TYPES } from './leak-hunter/schemas.js'
import { CanaryValues } from './leak-hunter/values.js'

const OBJECTS = 300
const seed = process.env.LEAK_HUNTER_SEED
  ? Number(process.env.LEAK_HUNTER_SEED)
  : Math.floor(Math.random() * 0x7fffffff)

t.comment(`leak hunter seed ${seed} (replay: LEAK_HUNTER_SEED=${seed} npm test -- test/sharing/leak-hunter.test.ts)`)

t.test('the hunter generates every type the store validates, from the schemas the store uses', async (t) => {
  t.same(STIX_TYPES, [...loadSchemaRegistry().byType.keys()].sort())
})

const SAMPLES: Readonly<Record<Exclude<CanaryKind, 'sco-id'>, string>> = {
  ipv4: '203.0.113.107',
  ipv6: '2a01:4f8:1c2::9a:77',
  domain: 'update-c4n4ry.example.com',
  email: 'jane.c4n4ry@corp.example.com',
  url: 'https://update-c4n4ry.example.com/a/b.php?id=7',
  hash: 'd41d8cd98f00b204e9800998ecf8427e',
  file: 'invoice_c4n4ry.pdf.exe',
  person: 'Jane C4nary',
}

t.test('every spelling of every canary is found again once the output is normalized', async (t) => {
  const values = new CanaryValues(seed)
  for (const kind of Object.keys(SAMPLES) as (keyof typeof SAMPLES)[]) {
    for (const spelling of SPELLINGS[kind]) {
      const written = spell(kind, SAMPLES[kind], spelling)
      t.ok(normalize(`x ${written} y`).includes(normalize(SAMPLES[kind])), `${kind} ${spelling}: ${written}`)
      if (!['plain', 'upper'].includes(spelling)) t.not(written, SAMPLES[kind], `${kind} ${spelling} is another text`)
      const { value } = values.of(kind)
      t.ok(
        searchable(`x ${spell(kind, value, spelling)} y`).includes(normalize(value)),
        `${kind} ${spelling}: ${spell(kind, value, spelling)}`,
      )
    }
  }
})

t.test('every canary recorded is in its object (the generator does not lie about what it planted)', async (t) => {
  for (const [i, type] of HUNTED_TYPES.entries()) {
    for (const gen of fc.sample(objectArbitrary(type), { seed: seed + i, numRuns: 2 })) {
      const text = searchable(JSON.stringify(gen.object))
      const missing = gen.planted.filter((c) => !text.includes(c.needle))
      t.same(missing, [], `${type}: all ${gen.planted.length} canaries present`)
    }
  }
})

t.test('no canary a level must hide reaches REST/TAXII JSON or any exporter', async (t) => {
  const egress = await createEgress()
  const s = await survey(egress, { seed, objects: OBJECTS })
  t.comment(formatSurvey(s))
  t.comment(`channels: ${egress.channels.join(', ')}`)
  t.comment(
    `must hide: ${LEVELS.map((l) => `${l}: ${CANARY_KINDS.filter((k) => MUST_HIDE[k].includes(l)).join(' ')}`).join(' | ')}`,
  )
  t.equal(s.invalid, 0, 'every generated object passes the store validation')
  t.same(
    HUNTED_TYPES.filter((x) => !s.types.has(x)),
    [],
    'every schema type (and two custom types) generated',
  )
  t.same(
    CANARY_KINDS.filter((k) => !s.kinds.has(k)),
    [],
    'every canary kind planted',
  )
  t.same(
    [...new Set(Object.values(SPELLINGS).flat())].filter((x) => !s.spellings.has(x)),
    [],
    'every spelling planted',
  )
  t.same([...s.errors.keys()], [], 'the strategy and the exporters never throw')
  if (s.classes.size) t.comment(['leaking positions per level and kind:', ...formatMatrix(s)].join('\n'))
  for (const level of LEVELS) {
    const classes = formatClasses(s).filter((line) => line.startsWith(level))
    if (classes.length)
      t.comment(
        [
          `${level}: first ${Math.min(40, classes.length)} of ${classes.length} leaking positions`,
          ...classes.slice(0, 40),
        ].join('\n'),
      )
    t.equal(classes.length, 0, `no canary leaks at ${level}`)
  }
  await printCounterexamples(t, egress, s)
})

/**
 * For each level that leaks, a counterexample stripped to what still leaks; for the first one, fast-check's
 * own shrinking first (the others start from their class's example: shrinking each would double the run).
 */
async function printCounterexamples(t: Test, egress: Egress, s: Survey): Promise<void> {
  let shrunk = false
  for (const level of LEVELS) {
    const first = [...s.classes.values()].find((c) => c.level === level)
    if (!first) continue
    const typeIndex = HUNTED_TYPES.indexOf(String(first.object.type))
    const fromFastCheck = shrunk
      ? undefined
      : await counterexample(egress, seed, typeIndex, Math.ceil(OBJECTS / HUNTED_TYPES.length), level)
    shrunk = true
    const failure =
      fromFastCheck ??
      new LeakError(first.example, { type: String(first.object.type), object: first.object, planted: [], valid: true })
    const minimal = await minimize(egress, failure)
    const how = fromFastCheck ? 'shrunk by fast-check, then stripped' : 'stripped'
    t.comment(
      `${level}: counterexample (${how} to what still leaks):\n${describeLeak(failure.leak)}\n${JSON.stringify(minimal, null, 1)}`,
    )
  }
}
