import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createStixValidator, getDefaultValidator, type ValidationResult } from './validator.js'
import { SHARED } from '../../test/paths.js'

const validator = getDefaultValidator()

function loadJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
}

function errorsOf(result: ValidationResult): { path: string; message: string }[] {
  return result.ok ? [] : result.errors
}

const indicator = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created: '2016-04-06T20:03:48.000Z',
  modified: '2016-04-06T20:03:48.000Z',
  indicator_types: ['malicious-activity'],
  name: 'Poison Ivy Malware',
  pattern: "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
  pattern_type: 'stix',
  valid_from: '2016-01-01T00:00:00Z',
}

/** Returns a copy of `base` with `changes` applied; an undefined value deletes the property. */
function withChanges(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base, ...changes }
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete copy[key]
  return copy
}

t.test('every object of MITRE ATT&CK for ICS 18.1 validates', async (t) => {
  const bundle = loadJson(join(SHARED, 'datasets/mitre-attack/ics-attack-18.1.json'))
  const objects = bundle.objects as Record<string, unknown>[]
  const failures = objects.flatMap((o) =>
    errorsOf(validator.validate(o)).map((e) => `${String(o.id)}${e.path}: ${e.message}`),
  )
  t.strictSame(failures, [], `${objects.length} objects`)
  t.ok(
    objects.some((o) => o.type === 'x-mitre-tactic'),
    'includes custom x-mitre-* objects',
  )
  t.strictSame(validator.validate(bundle), { ok: true }, 'the bundle as a whole')
})

t.test('every object of the OASIS example bundles validates, but the one id with an upper-case UUID', async (t) => {
  const dir = join(SHARED, 'datasets/oasis-examples')
  const upperCase = {
    ok: false,
    errors: [{ path: '/id', message: 'must write its UUID in lower case (STIX 2.1 §2.9, RFC 4122 §3)' }],
  }
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))) {
    const doc = loadJson(join(dir, file))
    // interop/*.json are JSON schemas of the interoperability profile, not STIX content.
    if ('$schema' in doc) continue
    const objects = doc.type === 'bundle' ? (doc.objects as unknown[]) : [doc]
    for (const [index, obj] of objects.entries()) {
      const expected =
        (obj as { id: string }).id === 'relationship--81f12913-1372-4c96-85ec-E9034ac98aba' ? upperCase : { ok: true }
      t.strictSame(validator.validate(obj), expected, `${file} #${index}`)
    }
  }
})

/** [description, changes to the valid indicator, expected error path, message fragment] */
const BAD_INDICATORS: [string, Record<string, unknown>, string, RegExp][] = [
  ['missing created', { created: undefined }, '/created', /required property 'created'/],
  ['malformed id', { id: 'indicator--1234' }, '/id', /<type>--<UUID>/],
  [
    'id of another type',
    { id: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' },
    '/id',
    /must start with "indicator--"/,
  ],
  ['impossible month', { created: '2016-13-06T20:03:48.000Z' }, '/created', /RFC 3339/],
  ['timestamp without milliseconds', { modified: '2016-04-06T20:03:48Z' }, '/modified', /milliseconds/],
  ['bad timestamp in valid_from', { valid_from: 'yesterday' }, '/valid_from', /RFC 3339/],
  ['bad pattern', { pattern: '[ipv4-addr:value = ]' }, '/pattern', /expected a literal value at 19/],
  ['unbalanced pattern', { pattern: "[ipv4-addr:value = '1.2.3.4'" }, '/pattern', /expected '\]' at 28/],
  ['STIX 2.0 spec_version', { spec_version: '2.0' }, '/spec_version', /"2\.1"/],
  ['missing spec_version', { spec_version: undefined }, '/spec_version', /required property/],
  ['missing pattern_type', { pattern_type: undefined }, '/pattern_type', /required property/],
  ['modified before created', { modified: '2015-01-01T00:00:00.000Z' }, '/modified', /earlier than created/],
  ['empty list', { indicator_types: [] }, '/indicator_types', /fewer than 1 items/],
  ['confidence out of range', { confidence: 101 }, '/confidence', /<= 100/],
  ['reserved property', { severity: 'high' }, '/severity', /reserved/],
  ['bad custom property name', { 'X-Custom': 1 }, '/X-Custom', /not an allowed property name/],
  ['wrong type of value', { name: 42 }, '/name', /must be string/],
]

t.test('rejects bad indicators with the path of the problem', async (t) => {
  t.strictSame(validator.validate(indicator), { ok: true }, 'the base indicator is valid')
  for (const [description, changes, path, message] of BAD_INDICATORS) {
    const errors = errorsOf(validator.validate(withChanges(indicator, changes)))
    t.ok(
      errors.some((e) => e.path === path && message.test(e.message)),
      description,
      { errors },
    )
  }
})

t.test('patterns of non-STIX pattern types are not parsed', async (t) => {
  t.strictSame(validator.validate({ ...indicator, pattern_type: 'yara', pattern: 'rule x { condition: true }' }), {
    ok: true,
  })
})

t.test('custom objects are checked against the common properties', async (t) => {
  const tactic = {
    type: 'x-mitre-tactic',
    spec_version: '2.1',
    id: 'x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a',
    created: '2018-10-17T00:14:20.652Z',
    modified: '2018-10-17T00:14:20.652Z',
    name: 'Execution',
    x_mitre_shortname: 'execution-ics',
  }
  t.strictSame(validator.validate(tactic), { ok: true })
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ modified: undefined }, '/modified', /required property 'modified'/],
    [{ spec_version: undefined }, '/spec_version', /required property/],
    [{ id: 'x-mitre-matrix--69da72d2-f550-41c5-ab9e-e8255707f28a' }, '/id', /must start with "x-mitre-tactic--"/],
    [{ id: 'x-mitre-tactic--nope' }, '/id', /<type>--<UUID>/],
    [{ type: undefined }, '/type', /required property 'type'/],
  ]
  for (const [changes, path, message] of cases) {
    const errors = errorsOf(validator.validate(withChanges(tactic, changes)))
    t.ok(
      errors.some((e) => e.path === path && message.test(e.message)),
      JSON.stringify(changes),
      { errors },
    )
  }
  // Custom observables (no created/modified) follow the SCO core, where those are not required.
  const customSco = {
    type: 'x-usb-device',
    spec_version: '2.1',
    id: 'x-usb-device--69da72d2-f550-41c5-ab9e-e8255707f28a',
    serial_number: 'A1',
  }
  t.strictSame(validator.validate(customSco), { ok: true })
})

t.test('observables and marking definitions use their own schemas', async (t) => {
  const ip = { type: 'ipv4-addr', id: 'ipv4-addr--63ef9660-61ac-5161-9b49-47d47af1527d', value: '198.51.100.3' }
  t.strictSame(validator.validate(ip), { ok: true }, 'spec_version is optional on SCOs')
  t.match(errorsOf(validator.validate({ ...ip, value: 3 })), [{ path: '/value', message: 'must be string' }])
  const domain = {
    type: 'domain-name',
    spec_version: '2.1',
    id: 'domain-name--ba42dbb3-fc5e-5797-91e5-dab4394d69bc',
    value: 'bücher.example',
  }
  t.strictSame(validator.validate(domain), { ok: true }, 'internationalised domain names')
  const marking = {
    type: 'marking-definition',
    spec_version: '2.1',
    id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
    created: '2017-01-20T00:00:00.000Z',
    definition_type: 'statement',
    definition: {},
  }
  t.ok(errorsOf(validator.validate(marking)).some((e) => e.path === '/definition/statement'))
})

t.test('bundles are validated object by object', async (t) => {
  const bundle = {
    type: 'bundle',
    id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    objects: [indicator, withChanges(indicator, { created: undefined })],
  }
  t.strictSame(validator.validate(bundle), {
    ok: false,
    errors: [{ path: '/objects/1/created', message: "must have required property 'created'" }],
  })
  t.match(errorsOf(validator.validate({ ...bundle, id: 'report--5d0092c5-5f74-4287-9642-33f4c354e56d' })), [
    { path: '/id' },
  ])
})

t.test('non-objects are rejected', async (t) => {
  for (const value of [null, 'indicator', [], 42]) {
    t.strictSame(validator.validate(value), { ok: false, errors: [{ path: '', message: 'must be an object' }] })
  }
})

t.test('validators are reusable and the default one is shared', async (t) => {
  t.equal(getDefaultValidator(), validator)
  const own = createStixValidator({ schemaDir: new URL('./schemas/', import.meta.url).pathname })
  t.strictSame(own.validate(indicator), { ok: true })
  t.throws(() => createStixValidator({ schemaDir: '/nonexistent' }))
})
