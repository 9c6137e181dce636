import fc from 'fast-check'
import t from 'tap'
import { derivationHolds, derivedStoredText } from './object-text.js'
import { storedForm, type KeyedObject } from './prepare.js'
import { TLP_MARKING_IDS, type Tlp } from '../stix/tlp.js'

const CREATOR = 'identity--7d3a1b8e-5f0c-4e2a-9b6d-1c2e3f4a5b6c'
const ID = 'note--0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f'
const note = (extra: Record<string, unknown> = {}): KeyedObject => ({
  type: 'note',
  spec_version: '2.1',
  id: ID,
  created: '2024-01-01T00:00:00.000Z',
  modified: '2024-01-01T00:00:00.000Z',
  content: 'x',
  ...extra,
})

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined // a mutation broke the JSON (an escape inside a number): no text to compare
  }
}

/** The row a stored text would have: what `derivationHolds` reads. */
const rowOf = (text: string) => {
  const doc = JSON.parse(text) as Record<string, unknown>
  return { type: String(doc.type), markings: doc.object_marking_refs ?? null }
}

t.test('the stored text, derived from the source text alone', async (t) => {
  const green = note({ object_marking_refs: [TLP_MARKING_IDS.green] })
  t.same(derivedStoredText(JSON.stringify(green), 'amber'), { id: ID, text: JSON.stringify(green), appended: false })
  const unmarked = note()
  t.same(derivedStoredText(JSON.stringify(unmarked)), { id: ID, text: JSON.stringify(unmarked), appended: false })
  const amber = derivedStoredText(JSON.stringify(unmarked), 'amber')
  t.same(amber, { id: ID, text: storedForm(unmarked, 'amber').text, appended: true }, 'the marking appended last')
})

t.test('nothing is derived where the text gives no safe key', async (t) => {
  const text = JSON.stringify(note())
  t.equal(derivedStoredText(JSON.stringify(note(), null, 2)), undefined, 'pretty-printed')
  t.equal(derivedStoredText(` ${text}`), undefined, 'leading space')
  t.equal(derivedStoredText(`${text} `), undefined, 'trailing space')
  t.equal(derivedStoredText(text, undefined, CREATOR), undefined, 'a creator the store may add')
  t.equal(derivedStoredText('{"type":"note"}'), undefined, 'no id')
  t.equal(derivedStoredText(text.replace('note--', 'note\\u002d-')), undefined, 'an escaped id')
  const raw = JSON.stringify(note({ content: 'a\uD800b' })).replace('\\ud800', '\uD800')
  t.ok(raw.includes('\uD800'), 'the canary holds a raw lone surrogate')
  t.equal(derivedStoredText(raw), undefined, 'a raw lone surrogate (UTF-8 would hash it as U+FFFD)')
})

t.test('what the stored row must say for a derived text to be the full path answer', async (t) => {
  const asGiven = { id: ID, text: '{}', appended: false }
  const appended = { ...asGiven, appended: true }
  const row = (type: string, markings: unknown = null) => ({ type, markings })
  t.ok(derivationHolds(asGiven, row('note'), undefined), 'no default TLP: always')
  t.ok(derivationHolds(asGiven, row('note', [TLP_MARKING_IDS.red]), 'amber'), 'kept: a TLP marking already')
  t.notOk(derivationHolds(asGiven, row('note', ['marking-definition--2']), 'amber'), 'kept: markings to extend')
  t.notOk(derivationHolds(asGiven, row('note'), 'amber'), 'kept: no markings, the default would be added')
  t.ok(derivationHolds(asGiven, row('marking-definition'), 'amber'), 'a marking definition is kept as given')
  t.ok(derivationHolds(appended, row('note', [TLP_MARKING_IDS.amber]), 'amber'), 'appended')
  t.notOk(derivationHolds(appended, row('marking-definition', [TLP_MARKING_IDS.amber]), 'amber'), 'never appended')
})

t.test('whatever the source text: a derived text found stored is the text the full path stores', async (t) => {
  const key = fc.oneof(
    fc.constantFrom('type', 'id', 'created', 'object_marking_refs', '__proto__', '1', 'toJSON', 'created_by_ref'),
    fc.string({ maxLength: 6 }),
  )
  const marking = fc.constantFrom([TLP_MARKING_IDS.red], ['marking-definition--2'], [])
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), marking, fc.constant(CREATOR))
  const object = fc
    .tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.constantFrom('note', 'marking-definition', 'indicator'))
    .map(([rest, type]) => JSON.parse(JSON.stringify({ type, id: `${type}--1`, ...rest })) as Record<string, unknown>)
  // Source texts: JSON.stringify of the object, or that with a member repeated, a character escaped, or nested
  // markings added: texts a hostile source could send, which parse to an object other than it looks.
  const source = fc.tuple(object, fc.nat(3), marking).map(([o, how, m]) => {
    const text = JSON.stringify(o)
    if (how === 1) return `${text.slice(0, -1)},"object_marking_refs":${JSON.stringify(m)}}`
    if (how === 2) return text.replace('e', '\\u0065')
    if (how === 3) return `${text.slice(0, -1)},"x":{"object_marking_refs":${JSON.stringify(m)}}}`
    return text
  })
  const tlp = fc.constantFrom<Tlp | undefined>(undefined, 'clear', 'amber', 'red')
  let found = 0
  fc.assert(
    fc.property(source, tlp, (text, defaultTlp) => {
      const derived = derivedStoredText(text, defaultTlp)
      if (derived === undefined) return
      // Found stored only if it is a text the store keeps (JSON.stringify output) under the id looked up.
      const doc = parsed(derived.text)
      if (doc === undefined || JSON.stringify(doc) !== derived.text || doc.id !== derived.id) return
      if (!derivationHolds(derived, rowOf(derived.text), defaultTlp)) return
      found++
      const obj = JSON.parse(text) as KeyedObject
      if (derived.text !== storedForm(obj, defaultTlp).text) throw new Error(`differs for ${text} at ${defaultTlp}`)
    }),
    { numRuns: 3000 },
  )
  t.ok(found > 500, `${found} of 3000 found, each the text the full path stores`)
})
