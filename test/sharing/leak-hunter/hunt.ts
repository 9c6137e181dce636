/**
 * The unit-level leak hunter: objects of every schema type, each sent through the egress at every level, every
 * output searched for the canaries that level must hide. `survey` runs them all and aggregates what leaked;
 * `counterexample` lets fast-check shrink a failing object (minimize.ts then strips it to what still leaks).
 */
import fc from 'fast-check'
import type { StixObject } from '../../../core/plugin-api/index.js'
import { CANARY_KINDS, LEVELS, type CanaryKind, type Level, type Planted, type Spelling } from './canaries.js'
import type { Egress } from './egress.js'
import { describeLeak, findLeaks, generalPosition, type Leak } from './leaks.js'
import { objectArbitrary, type Generated } from './objects.js'
import { HUNTED_TYPES } from './schemas.js'

export interface LeakClass {
  level: Level
  kind: CanaryKind
  position: string
  count: number
  channels: Set<string>
  spellings: Set<Spelling>
  example: Leak
  object: Record<string, unknown>
}

export interface Survey {
  seed: number
  objects: number
  canaries: number
  invalid: number
  types: Set<string>
  kinds: Set<CanaryKind>
  spellings: Set<Spelling>
  leaks: number
  classes: Map<string, LeakClass>
  errors: Map<string, number>
  /** Validation errors of objects the generator could not make valid (a generator bug: see objects.ts). */
  invalidExamples: string[]
}

/** The fast-check seed of one type's share of the run: each type has its own stream, all derived from `seed`. */
export const typeSeed = (seed: number, typeIndex: number) => (seed + typeIndex * 1_000_003) | 0

export async function leaksOf(
  egress: Egress,
  gen: Generated,
  levels: readonly Level[] = LEVELS,
): Promise<{ leaks: Leak[]; errors: string[] }> {
  const leaks: Leak[] = []
  const errors: string[] = []
  for (const level of levels) {
    const result = await egress.outputs([gen.object as StixObject], level)
    errors.push(...result.errors)
    leaks.push(...findLeaks(result.outputs, gen.planted, level))
  }
  return { leaks, errors }
}

const BATCH = 25

/**
 * Runs `objects` objects (spread evenly over every hunted type) and aggregates the leaks by class. Objects go
 * out in batches (one export per format per batch, as a recipient gets them); canary values are unique, so a
 * canary found names the object it came from.
 */
export async function survey(
  egress: Egress,
  options: { seed: number; objects: number; onProgress?: (s: Survey) => void },
): Promise<Survey> {
  const s: Survey = {
    seed: options.seed,
    objects: 0,
    canaries: 0,
    invalid: 0,
    types: new Set(),
    kinds: new Set(),
    spellings: new Set(),
    leaks: 0,
    classes: new Map(),
    errors: new Map(),
    invalidExamples: [],
  }
  const perType = Math.ceil(options.objects / HUNTED_TYPES.length)
  const chunk = 50
  for (let done = 0; done < perType; done += chunk) {
    for (const [i, type] of HUNTED_TYPES.entries()) {
      const samples = fc.sample(objectArbitrary(type), {
        seed: typeSeed(options.seed, i) + done,
        numRuns: Math.min(chunk, perType - done),
      })
      for (let b = 0; b < samples.length; b += BATCH) await surveyBatch(egress, s, samples.slice(b, b + BATCH))
    }
    options.onProgress?.(s)
  }
  return s
}

async function surveyBatch(egress: Egress, s: Survey, batch: Generated[]): Promise<void> {
  const origin = new Map<Planted, Generated>()
  for (const gen of batch) {
    s.objects++
    s.canaries += gen.planted.length
    if (!gen.valid && s.invalid++ < 5) s.invalidExamples.push(`${gen.type}: ${gen.errors}`)
    s.types.add(gen.type)
    for (const c of gen.planted) {
      s.kinds.add(c.kind)
      s.spellings.add(c.spelling)
      origin.set(c, gen)
    }
  }
  const planted = batch.flatMap((g) => g.planted)
  for (const level of LEVELS) {
    const result = await egress.outputs(
      batch.map((g) => g.object as StixObject),
      level,
    )
    for (const e of result.errors) s.errors.set(e.replace(/".*?"/g, '"…"'), (s.errors.get(e) ?? 0) + 1)
    const leaks = findLeaks(result.outputs, planted, level)
    s.leaks += leaks.length
    for (const leak of leaks) addToClass(s, leak, (origin.get(leak.canary) as Generated).object)
  }
}

function addToClass(s: Survey, leak: Leak, object: Record<string, unknown>): void {
  const position = generalPosition(leak.canary.position)
  const key = `${leak.level}\u0000${leak.canary.kind}\u0000${position}`
  let c = s.classes.get(key)
  if (!c) {
    c = {
      level: leak.level,
      kind: leak.canary.kind,
      position,
      count: 0,
      channels: new Set(),
      spellings: new Set(),
      example: leak,
      object,
    }
    s.classes.set(key, c)
  }
  c.count++
  c.channels.add(leak.channel)
  c.spellings.add(leak.canary.spelling)
}

export class LeakError extends Error {
  constructor(
    readonly leak: Leak,
    readonly gen: Generated,
  ) {
    super(describeLeak(leak))
  }
}

/** fast-check's run for one type (at one level): fails on the first leaking object and shrinks it. */
export async function counterexample(
  egress: Egress,
  seed: number,
  typeIndex: number,
  numRuns: number,
  level?: Level,
): Promise<LeakError | undefined> {
  const property = fc.asyncProperty(objectArbitrary(HUNTED_TYPES[typeIndex]), async (gen) => {
    const { leaks } = await leaksOf(egress, gen, level ? [level] : LEVELS)
    if (leaks.length) throw new LeakError(leaks[0], gen)
  })
  const details = await fc.check(property, { seed: typeSeed(seed, typeIndex), numRuns, maxSkipsPerRun: 0 })
  return details.failed && details.errorInstance instanceof LeakError ? details.errorInstance : undefined
}

/** A table of leak classes, most frequent first. */
export function formatClasses(s: Survey, limit = Infinity): string[] {
  const rows = [...s.classes.values()].sort(
    (a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || b.count - a.count,
  )
  return rows
    .slice(0, limit)
    .map(
      (c) =>
        `${c.level.padEnd(6)} ${c.kind.padEnd(7)} ${c.position} ×${c.count} via ${[...c.channels].join(', ')} (spellings: ${[...c.spellings].join(', ')})`,
    )
}

/** Leak classes counted by level and kind: the shape of what leaks. */
export function formatMatrix(s: Survey): string[] {
  const count = new Map<string, number>()
  for (const c of s.classes.values())
    count.set(`${c.level}\u0000${c.kind}`, (count.get(`${c.level}\u0000${c.kind}`) ?? 0) + 1)
  const header = `positions leaking  ${CANARY_KINDS.map((k) => k.padStart(7)).join('')}`
  return [
    header,
    ...LEVELS.map(
      (l) =>
        `${l.padEnd(19)}${CANARY_KINDS.map((k) => String(count.get(`${l}\u0000${k}`) ?? '·').padStart(7)).join('')}`,
    ),
  ]
}

export function formatSurvey(s: Survey): string {
  const missing = {
    types: HUNTED_TYPES.filter((t) => !s.types.has(t)),
    kinds: CANARY_KINDS.filter((k) => !s.kinds.has(k)),
  }
  return [
    `seed ${s.seed}: ${s.objects} objects of ${s.types.size} types, ${s.canaries} canaries planted, ${s.invalid} objects not schema-valid`,
    `${s.leaks} leaks in ${s.classes.size} classes (level × kind × position)`,
    ...(missing.types.length ? [`types never generated: ${missing.types.join(', ')}`] : []),
    ...(missing.kinds.length ? [`kinds never planted: ${missing.kinds.join(', ')}`] : []),
    ...[...s.errors].map(([e, n]) => `error ×${n}: ${e}`),
    ...s.invalidExamples.map((e) => `not valid: ${e.slice(0, 300)}`),
  ].join('\n')
}
