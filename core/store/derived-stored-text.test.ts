import fc from 'fast-check'
import t from 'tap'
import { derivedStoredText, storedForm, type KeyedObject } from './prepare.js'
import { TLP_MARKING_IDS, type Tlp } from '../stix/tlp.js'

const CREATOR = 'identity--7d3a1b8e-5f0c-4e2a-9b6d-1c2e3f4a5b6c'
const note = (extra: Record<string, unknown> = {}): KeyedObject => ({
  type: 'note',
  spec_version: '2.1',
  id: 'note--0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f',
  created: '2024-01-01T00:00:00.000Z',
  modified: '2024-01-01T00:00:00.000Z',
  content: 'x',
  ...extra,
})

t.test('the stored text, derived from the source text in the two cases the store keeps it predictable', async (t) => {
  const green = note({ object_marking_refs: [TLP_MARKING_IDS.green] })
  t.equal(derivedStoredText(green, JSON.stringify(green), 'amber'), JSON.stringify(green), 'a TLP already: as given')
  const unmarked = note()
  t.equal(derivedStoredText(unmarked, JSON.stringify(unmarked)), JSON.stringify(unmarked), 'no default TLP: as given')
  const amber = derivedStoredText(unmarked, JSON.stringify(unmarked), 'amber')
  t.equal(amber, storedForm(unmarked, 'amber').text, 'the default TLP appended as the stored form appends it')
  const definition = { type: 'marking-definition', id: 'marking-definition--1', created: '2024-01-01T00:00:00Z' }
  t.equal(derivedStoredText(definition, JSON.stringify(definition), 'red'), JSON.stringify(definition))
  const attributed = { ...green, created_by_ref: CREATOR }
  t.equal(derivedStoredText(attributed, JSON.stringify(attributed), undefined, CREATOR), JSON.stringify(attributed))
})

t.test('nothing is derived where the stored text is not the source text plus a known suffix', async (t) => {
  const unmarked = note()
  t.equal(derivedStoredText(unmarked, JSON.stringify(unmarked, null, 2)), undefined, 'pretty-printed')
  t.equal(derivedStoredText(unmarked, ` ${JSON.stringify(unmarked)}`), undefined, 'leading space')
  t.equal(derivedStoredText(unmarked, `${JSON.stringify(unmarked)} `), undefined, 'trailing space')
  t.equal(derivedStoredText(unmarked, JSON.stringify(unmarked), undefined, CREATOR), undefined, 'a creator to add')
  const otherMarking = note({ object_marking_refs: ['marking-definition--2'] })
  t.equal(
    derivedStoredText(otherMarking, JSON.stringify(otherMarking), 'amber'),
    undefined,
    'markings the default TLP would extend',
  )
  const lone = note({ content: 'a\uD800b' })
  const raw = JSON.stringify(lone).replace('\\ud800', '\uD800')
  t.ok(raw.includes('\uD800'), 'the canary holds a raw lone surrogate')
  t.equal(derivedStoredText(lone, raw), undefined, 'a raw lone surrogate (UTF-8 would hash it as U+FFFD)')
})

t.test('whatever the object: a derived text is exactly the text the store would keep', async (t) => {
  const key = fc.oneof(
    fc.constantFrom('type', 'id', 'created', 'object_marking_refs', '__proto__', '1', 'toJSON', 'created_by_ref'),
    fc.string({ maxLength: 6 }),
  )
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant([TLP_MARKING_IDS.red]), fc.constant(CREATOR))
  const object = fc
    .tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.constantFrom('note', 'marking-definition', 'indicator'))
    .map(([rest, type]) => JSON.parse(JSON.stringify({ type, id: `${type}--1`, ...rest })) as Record<string, unknown>)
    .filter((o): o is KeyedObject => typeof o.id === 'string')
  const tlp = fc.constantFrom<Tlp | undefined>(undefined, 'clear', 'amber', 'red')
  const creator = fc.constantFrom<string | undefined>(undefined, CREATOR)
  let derived = 0
  fc.assert(
    fc.property(object, tlp, creator, (obj, defaultTlp, creatorRef) => {
      const text = derivedStoredText(obj, JSON.stringify(obj), defaultTlp, creatorRef)
      if (text === undefined) return
      derived++
      if (text !== storedForm(obj, defaultTlp, creatorRef).text) throw new Error(`differs for ${JSON.stringify(obj)}`)
    }),
    { numRuns: 2000 },
  )
  t.ok(derived > 500, `${derived} of 2000 derived, each equal to the stored form`)
})
