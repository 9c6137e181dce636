import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { refang } from './refang.js'
import { ctx, LEVELS_BELOW_NONE, sco, strategyFor } from './test-support.js'

/** Each finding of issue 12 "values that pass through unchanged", as the strategy sees it. */
const strategy = strategyFor()
const validator = getDefaultValidator()
const T = '2016-04-06T20:03:48.000Z'
const HIDING = ['medium', 'high', 'full'] as const

const sdo = (type: string, extra: Record<string, unknown>): StixObject => ({
  type,
  spec_version: '2.1',
  id: `${type}--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f`,
  created: T,
  modified: T,
  ...extra,
})

function out(obj: StixObject, level: (typeof LEVELS_BELOW_NONE)[number]): string {
  const result = strategy.anonymize(obj, ctx(level))
  if (result !== null) {
    const valid = validator.validate(result)
    if (!valid.ok) throw new Error(`invalid at ${level}: ${JSON.stringify(valid.errors)}`)
  }
  return JSON.stringify(result).toLowerCase()
}

t.test('authors of notes and opinions are pseudonyms at every level', async (t) => {
  const note = sdo('note', {
    content: 'see',
    object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
    authors: ['Jane Canaryson', 'jane@victim-corp.com'],
  })
  const opinion = sdo('opinion', {
    opinion: 'agree',
    object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
    authors: ['Jane Canaryson'],
  })
  for (const level of LEVELS_BELOW_NONE) {
    for (const obj of [note, opinion]) {
      const json = out(obj, level)
      t.notMatch(json, /canaryson|victim-corp/, `${obj.type} at ${level}`)
      t.match(json, /person-[a-z2-7]{16}/, `${obj.type} at ${level} keeps a correlatable pseudonym`)
    }
  }
})

t.test('keys of custom dictionaries are scrubbed, contact-named custom properties pseudonymized', async (t) => {
  const obj = sdo('indicator', {
    pattern: "[file:name = 'a.exe']",
    pattern_type: 'stix',
    valid_from: T,
    x_target: { 'jane@victim-corp.com': 'primary', '203.0.113.77': { 'ceo.victim-corp.com': 'x' } },
    x_analyst_contact: 'Jane Canaryson',
  })
  for (const level of LEVELS_BELOW_NONE) {
    // At low domains are kept on purpose; the person, the mailbox and the address are not.
    t.notMatch(
      out(obj, level),
      level === 'low' ? /jane@|203\.0\.113\.77|canaryson/ : /victim-corp|203\.0\.113\.77|canaryson/,
      level,
    )
  }
  t.match(
    out(obj, 'medium'),
    /"x_target":\{"[a-z2-7]{16}@[a-z2-7]{16}\.invalid":"primary"/,
    'the entry stays, under a pseudonym key',
  )
})

t.test('every string of an external or kill-chain reference is scrubbed', async (t) => {
  const obj = sdo('attack-pattern', {
    name: 'Phishing',
    external_references: [
      {
        source_name: 'tickets of ops@victim-corp.com',
        external_id: 'INC-42 203.0.113.77',
        description: 'see victim-corp.com',
      },
      {
        source_name: 'mitre-attack',
        external_id: 'T1566',
        url: 'https://attack.mitre.org/techniques/T1566',
        description: 'by jane@victim-corp.com',
      },
      { source_name: 'cve', external_id: 'ceo@victim-corp.com', url: 'https://intranet.victim-corp.com/cve' },
    ],
    kill_chain_phases: [{ kill_chain_name: 'victim-corp.com', phase_name: 'delivery' }],
  })
  for (const level of HIDING) {
    const json = out(obj, level)
    t.notMatch(json, /victim-corp|203\.0\.113\.77/, level)
    t.match(
      json,
      /"external_id":"t1566","url":"https:\/\/attack.mitre.org\/techniques\/t1566"/,
      `${level}: public references stay usable`,
    )
  }
})

const DEFANGED = [
  ['198[.]51[.]100[.]77', '198.51.100.77'],
  ['198(.)51(.)100(.)77', '198.51.100.77'],
  ['jane[at]victim-corp[.]com', 'victim-corp'],
  ['jane(at)victim-corp(.)com', 'victim-corp'],
  ['hxxps[://]evil-c2[.]net/gate', 'evil-c2'],
  ['hXXp://evil-c2.net/gate', 'evil-c2'],
  ['evil-c2{.}net', 'evil-c2'],
  ['jane%40victim-corp%2Ecom', 'victim-corp'],
  ['2001:db8:85a3[:]:8a2e:370:7334', '8a2e:370:7334'],
  ['EVIL-C2.NET', 'evil-c2'],
] as const

t.test('defanged, upper-case and percent-encoded spellings in free text are found', async (t) => {
  for (const [written, canary] of DEFANGED) {
    const obj = sdo('report', {
      name: `Report on ${written}`,
      published: T,
      object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
      description: `C2 at ${written}, see log`,
    })
    for (const level of HIDING) t.notMatch(refang(out(obj, level)), canary.toLowerCase(), `${written} at ${level}`)
  }
  const text = sdo('report', {
    name: 'r',
    published: T,
    object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
    description: 'Meet (at) noon [sic]',
  })
  t.match(out(text, 'medium'), /meet \(at\) noon \[sic\]/, 'text with nothing to hide is sent as written')
})

t.test('an IP in free text is truncated at low too', async (t) => {
  const obj = sdo('report', {
    name: 'r',
    published: T,
    object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
    description: 'C2 198.51.100.77',
  })
  t.match(out(obj, 'low'), /c2 198\.51\.100\.0\/24/)
})

t.test('an object nested deeper than the walker bound is withheld, not a stack overflow', async (t) => {
  let deep: Record<string, unknown> = { leaf: 'jane@victim-corp.com' }
  for (let i = 0; i < 5000; i++) deep = { x: deep }
  const obj = sco('ipv4-addr', { value: '198.51.100.7', x_deep: deep })
  for (const level of ['low', 'medium'] as const) t.equal(strategy.anonymize(obj, ctx(level)), null, level)
  t.not(strategy.anonymize(obj, ctx('high')), null, 'at high the custom property is dropped before it is walked')
})

t.test('unknown properties are dropped from high; extension-defined extensions too', async (t) => {
  const obj = sdo('malware', {
    name: 'Emotet',
    is_family: true,
    toxicity: 'jane@victim-corp.com',
    extensions: {
      'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e': {
        extension_type: 'property-extension',
        rank: 'victim-corp.com',
      },
    },
  })
  for (const level of ['high', 'full'] as const) {
    const json = out(obj, level)
    t.notMatch(json, /toxicity|d83fce45/, level)
    t.match(json, /"name":"emotet"/, `${level}: malware names are intelligence`)
  }
})

t.test(
  'SCO strings: command lines, certificate subjects, registry keys are scrubbed, and dropped at full',
  async (t) => {
    const proc = sco('process', {
      command_line: 'curl http://evil-c2.net/x -u jane@victim-corp.com',
      cwd: 'C:\\Users\\jane.canaryson',
    })
    const cert = sco('x509-certificate', { subject: 'CN=mail.victim-corp.com, O=Victim', serial_number: '01' })
    for (const level of HIDING) {
      t.notMatch(out(proc, level), /evil-c2|victim-corp|canaryson/, `process at ${level}`)
      t.notMatch(out(cert, level), /victim-corp/, `certificate at ${level}`)
    }
    t.notMatch(out(proc, 'full'), /command_line/, 'no command line at full')
  },
)
