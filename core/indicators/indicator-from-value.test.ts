import path from 'node:path'
import t from 'tap'
import { SHARED } from '../../test/paths.js'
import { observableValues, parsePattern, patternValues, TLP_MARKING_IDS } from '../plugin-api/index.js'
import { deterministicScoId } from '../stix/ids.js'
import { createStixValidator } from '../stix/validator.js'
import { indicatorFromValue } from './indicator-from-value.js'
import { checkValue, detectValueKind } from './value-kind.js'

const oasis = createStixValidator({ schemaDir: path.join(SHARED, 'stix2-json-schemas', 'schemas') })
const NOW = '2026-01-31T12:00:00.000Z'

function build(raw: string, extra: { tlp?: 'red'; labels?: string[]; confidence?: number; validUntil?: string } = {}) {
  const checked = detectValueKind(raw)
  if (!checked.ok) throw new Error(checked.reason)
  return { ...indicatorFromValue({ kind: checked.kind, value: checked.value, now: NOW, ...extra }), checked }
}

const HOSTILE = [
  '198.51.100.7',
  '198.51.0.0/16',
  '2001:db8::/48',
  'evil.example',
  'xn--bcher-kva.example',
  "https://evil.example/it's?q=\\'];[x:y = 'z",
  "https://evil.example/\\\\'\\'",
  "o'reilly+x@evil.example",
  "O'Brien''s \\ 'payload'].exe",
  "\\'] OR [file:name = 'x.exe",
  'trailing backslash \\.dll',
  '日本語の名前.exe',
  '\u202Etxt.exe',
  `${'a'.repeat(240)}.exe`,
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
]

t.test('hostile values give valid STIX whose pattern asserts exactly the value', async (t) => {
  for (const raw of HOSTILE) {
    const { indicator, observable, checked } = build(raw)
    const label = JSON.stringify(raw).slice(0, 60)
    t.same(oasis.validate(indicator), { ok: true }, `indicator of ${label} validates against the OASIS schemas`)
    t.same(oasis.validate(observable), { ok: true }, `observable of ${label} validates`)
    t.doesNotThrow(() => parsePattern(String(indicator.pattern)), `pattern of ${label} parses`)
    const fromPattern = patternValues(String(indicator.pattern))
    t.equal(fromPattern.length, 1, `${label}: the pattern has one comparison, nothing injected`)
    t.equal(fromPattern[0]?.value, checked.value, `${label}: the pattern's literal is the value itself`)
    t.same(
      observableValues(observable).map((v) => v.value),
      [checked.value],
      `${label}: the observable holds the value`,
    )
  }
})

t.test('quotes and backslashes are escaped in the pattern string', async (t) => {
  const { indicator } = build("a'b\\c.exe")
  t.equal(indicator.pattern, "[file:name = 'a\\'b\\\\c.exe']")
  t.equal(
    build('198.51.0.0/16').indicator.pattern,
    "[ipv4-addr:value ISSUBSET '198.51.0.0/16']",
    'a network is matched with ISSUBSET',
  )
  t.equal(build('198.51.100.7').indicator.pattern, "[ipv4-addr:value = '198.51.100.7']")
  t.equal(
    build('D41D8CD98F00B204E9800998ECF8427E').indicator.pattern,
    "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']",
  )
})

t.test('the observable has its spec-defined id; options land on the indicator, the TLP on both', async (t) => {
  const { indicator, observable } = build('evil.example', {
    tlp: 'red',
    labels: ['c2', 'phishing'],
    confidence: 80,
    validUntil: '2027-01-01T00:00:00Z',
  })
  t.equal(observable.id, deterministicScoId('domain-name', { value: 'evil.example' }))
  t.same(observable.object_marking_refs, [TLP_MARKING_IDS.red])
  t.match(indicator, {
    type: 'indicator',
    spec_version: '2.1',
    name: 'Domain evil.example',
    pattern_type: 'stix',
    pattern_version: '2.1',
    created: NOW,
    modified: NOW,
    valid_from: NOW,
    valid_until: '2027-01-01T00:00:00Z',
    labels: ['c2', 'phishing'],
    confidence: 80,
    object_marking_refs: [TLP_MARKING_IDS.red],
  })
  t.match(indicator.id, /^indicator--[0-9a-f-]{36}$/)
  const plain = build('evil.example')
  t.notOk(
    'object_marking_refs' in plain.indicator || 'object_marking_refs' in plain.observable,
    'no TLP asked, no marking',
  )
  t.not(plain.indicator.id, indicator.id, 'each indicator gets its own id')
  const long = build(`${'b'.repeat(250)}.exe`).indicator
  t.ok(String(long.name).length < 270 && String(long.name).endsWith('…'), 'a long value is cut in the name only')
  t.equal(patternValues(String(long.pattern))[0]?.value, `${'b'.repeat(250)}.exe`)
})

t.test('file hashes and names build file observables', async (t) => {
  const sha512 = checkValue('sha512', 'A'.repeat(128))
  if (!sha512.ok) throw new Error(sha512.reason)
  const { observable } = indicatorFromValue({ kind: sha512.kind, value: sha512.value, now: NOW })
  t.same(observable.hashes, { 'SHA-512': 'a'.repeat(128) })
  t.same(build('dropper.exe').observable.name, 'dropper.exe')
})
