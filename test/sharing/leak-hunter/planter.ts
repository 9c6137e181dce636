/**
 * Draws (through fast-check, so failures shrink) and the canaries planted in one object, with the texts
 * that carry them: free text, people's names, contact lines.
 */
import fc from 'fast-check'
import { normalize, spell, SPELLINGS, type CanaryKind, type Planted, type Spelling } from './canaries.js'
import { observableId, VALUE_ID_TYPES } from './refs.js'
import { CanaryValues, type CanaryValue } from './values.js'

/** The random choices the generator makes. Backed by fast-check's `gen()`: a shrunk run makes simpler choices. */
export interface Draw {
  int(min: number, max: number): number
  /** True with probability `p`; shrinks to false (optional parts disappear). */
  chance(p: number): boolean
  /** Shrinks to the first element: put the simplest first. */
  pick<T>(xs: readonly T[]): T
  /** A string matching `re` (fast-check's `stringMatching`). */
  matching(re: RegExp): string
  /** A 31-bit number drawn without fast-check's bias to small values: seeds canary values, which must not repeat. */
  seed(): number
}

const U32 = fc.nat()
const u32 = () => U32
const SEED = fc.noBias(fc.nat())
const seed = () => SEED
const matchers = new Map<string, () => fc.Arbitrary<string>>()

/**
 * Every draw is one `nat` (no arguments: fast-check's `gen()` compares the arguments of each call with all
 * earlier ones, which made long objects quadratic), reduced to the range asked for; 0 is the simplest choice.
 */
export function fcDraw(g: fc.GeneratorValue): Draw {
  const int = (min: number, max: number) => (min === max ? min : min + (g(u32) % (max - min + 1)))
  return {
    int,
    chance: (p) => p >= 1 || (p > 0 && int(0, 999) >= 1000 - p * 1000),
    pick: (xs) => xs[int(0, xs.length - 1)],
    seed: () => g(seed),
    matching: (re) => {
      let builder = matchers.get(re.source)
      if (!builder) {
        const arb = fc.stringMatching(re, { size: 'xsmall' })
        builder = () => arb
        matchers.set(re.source, builder)
      }
      return g(builder)
    },
  }
}

/** Kinds planted in free text. People's names go only where a person's name is expected (see personText). */
export const TEXT_KINDS: readonly Exclude<CanaryKind, 'sco-id' | 'person'>[] = [
  'ipv4',
  'ipv6',
  'domain',
  'email',
  'url',
  'hash',
  'file',
]
const LEADS = ['', 'Seen beaconing to ', 'C2: ', 'dropped ', 'see ', 'victim ', 'contact ', 'ref ']
const WRAPS: readonly ((s: string) => string)[] = [
  (s) => s,
  (s) => `(${s})`,
  (s) => `"${s}"`,
  (s) => `<${s}>`,
  (s) => `${s}.`,
  (s) => `${s},`,
]
const JOINS = [' ', ', ', '; ', '\n', ' - ', ' and ']

export class Planter {
  readonly planted: Planted[] = []
  constructor(
    readonly d: Draw,
    readonly values: CanaryValues,
  ) {}

  /** Records a value planted as is at `position` (and its parts). */
  record(cv: CanaryValue, spelling: Spelling, position: string): void {
    const whole = normalize(cv.value)
    this.planted.push({ kind: cv.kind, value: cv.value, needle: whole, spelling, position })
    for (const part of cv.parts) {
      this.planted.push({
        kind: part.kind,
        value: part.value,
        needle: normalize(part.value),
        spelling,
        position,
        partOf: cv.kind,
        whole,
      })
    }
  }

  /** A fresh canary of `kind`, written in one of `spellings`, recorded at `position`. */
  canary(
    kind: Exclude<CanaryKind, 'sco-id'>,
    position: string,
    spellings: readonly Spelling[] = SPELLINGS[kind],
  ): string {
    return this.plant(this.values.of(kind), position, spellings)
  }

  /** Plants `cv` written in one of `spellings`, recorded at `position`. */
  plant(cv: CanaryValue, position: string, spellings: readonly Spelling[] = SPELLINGS[cv.kind]): string {
    const spelling = this.d.pick(spellings)
    this.record(cv, spelling, position)
    return spell(cv.kind, cv.value, spelling)
  }

  /** Prose carrying one to three canaries of the free-text kinds, in any spelling. */
  freeText(position: string): string {
    const n = this.d.int(1, 3)
    const pieces: string[] = []
    for (let i = 0; i < n; i++) {
      // Now and then the standard id of an observable, written in prose ("see ipv4-addr--…").
      const c = this.d.chance(0.05)
        ? observableId(this, this.d.pick(VALUE_ID_TYPES), position)
        : this.canary(this.d.pick(TEXT_KINDS), position)
      pieces.push(n === 1 && !this.d.chance(0.6) ? c : `${this.d.pick(LEADS)}${this.d.pick(WRAPS)(c)}`)
    }
    let text = pieces[0]
    for (const piece of pieces.slice(1)) text += this.d.pick(JOINS) + piece
    return text
  }

  /** Where a person is named (authors, display names, x_ contact fields): a name, an address, or both. */
  personText(position: string): string {
    switch (this.d.int(0, 2)) {
      case 0:
        return this.canary('person', position)
      case 1:
        return `${this.canary('person', position)} <${this.canary('email', position)}>`
      default:
        return this.canary('email', position)
    }
  }

  /** An identity's contact_information: a name, an address, a phone number, maybe a web page. */
  contactText(position: string): string {
    const parts = [this.canary('person', position), this.canary('email', position), '+1 202 555 0147']
    if (this.d.chance(0.5)) parts.push(this.canary('url', position))
    return parts.join(this.d.pick(JOINS))
  }
}
