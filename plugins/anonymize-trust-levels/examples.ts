/**
 * Renders the before/after examples of docs/anonymization.md from the real strategy (fixed test key, platform
 * scope), so the documentation cannot drift from the code: docs-examples.test.ts checks the file against it.
 */
import type { StixObject } from '../../core/plugin-api/index.js'
import { ctx, indicator, LEVELS_BELOW_NONE, sco, strategyFor } from './test-support.js'

const T = '2016-04-06T20:03:48.000Z'
const SHA = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c'

interface Example {
  label: string
  object: StixObject
  /** Which property of the output to show. */
  show: string
}

const EXAMPLES: Example[] = [
  { label: 'ipv4-addr', object: sco('ipv4-addr', { value: '198.51.100.23' }), show: 'value' },
  { label: 'ipv6-addr', object: sco('ipv6-addr', { value: '2001:db8:85a3:8d3:1319:8a2e:370:7348' }), show: 'value' },
  { label: 'domain-name', object: sco('domain-name', { value: 'mail.victim-bank.com' }), show: 'value' },
  { label: 'email-addr', object: sco('email-addr', { value: 'john.doe@victim-bank.com' }), show: 'value' },
  { label: 'url', object: sco('url', { value: 'https://evil.example.com/gate.php?id=42' }), show: 'value' },
  { label: 'file name', object: sco('file', { name: 'invoice.exe', hashes: { 'SHA-256': SHA } }), show: 'name' },
  { label: 'file SHA-256', object: sco('file', { name: 'invoice.exe', hashes: { 'SHA-256': SHA } }), show: 'hashes' },
  {
    label: 'user-account login',
    object: sco('user-account', { account_login: 'jdoe', account_type: 'unix' }),
    show: 'account_login',
  },
  { label: 'SCO id', object: sco('ipv4-addr', { value: '198.51.100.23' }), show: 'id' },
  {
    label: 'indicator pattern',
    object: indicator(
      "[ipv4-addr:value = '198.51.100.23'] OR [domain-name:value = 'evil.example.com' AND file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    ),
    show: 'pattern',
  },
  {
    label: 'report description',
    object: {
      type: 'report',
      spec_version: '2.1',
      id: 'report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3',
      created: T,
      modified: T,
      name: 'Phishing wave',
      published: T,
      report_types: ['campaign'],
      object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
      description: 'Mails from hr@victim-bank.com led to http://evil.example.com/a.zip, C2 203.0.113.9',
    },
    show: 'description',
  },
  {
    label: 'defanged text (note content)',
    object: {
      type: 'note',
      spec_version: '2.1',
      id: 'note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061',
      created: T,
      modified: T,
      object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
      content: 'C2 198[.]51[.]100[.]77, mail hr[at]victim-bank[.]com',
      authors: ['Jane Doe'],
    },
    show: 'content',
  },
  {
    label: 'note authors',
    object: {
      type: 'note',
      spec_version: '2.1',
      id: 'note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061',
      created: T,
      modified: T,
      object_refs: ['indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
      content: 'seen',
      authors: ['Jane Doe'],
    },
    show: 'authors',
  },
  {
    label: 'custom dictionary (x_target)',
    object: indicator("[file:name = 'a.exe']", { x_target: { 'ceo@victim-bank.com': 'primary' } }),
    show: 'x_target',
  },
  {
    label: 'created_by_ref',
    object: indicator("[url:value = 'http://evil.example.com/']", {
      created_by_ref: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff',
    }),
    show: 'created_by_ref',
  },
  {
    label: 'identity (organization)',
    object: {
      type: 'identity',
      spec_version: '2.1',
      id: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff',
      created: T,
      modified: T,
      name: 'ACME Bank',
      identity_class: 'organization',
    },
    show: 'name',
  },
]

function cell(value: unknown): string {
  if (value === undefined) return '*(dropped)*'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return `\`${text.replace(/\|/g, '\\|')}\``
}

export function renderExamples(): string {
  const strategy = strategyFor()
  const header = `| value | none | ${LEVELS_BELOW_NONE.join(' | ')} |\n|---|---|${LEVELS_BELOW_NONE.map(() => '---').join('|')}|`
  const rows = EXAMPLES.map(({ label, object, show }) => {
    const outs = LEVELS_BELOW_NONE.map((level) => {
      const out = strategy.anonymize(object, ctx(level))
      return out === null ? '*(withheld)*' : cell(out[show])
    })
    return `| ${label} | ${cell(object[show])} | ${outs.join(' | ')} |`
  })
  return [header, ...rows].join('\n')
}
