import fc from 'fast-check'
import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { anonymizeIp } from './ip.js'
import { LEVEL_POLICIES, type LevelPolicy } from './policy.js'
import { createPseudonymKeyring } from './pseudonym.js'
import { ctx, indicator, LEVELS_BELOW_NONE, quote, sco, strategyFor, TEST_KEY } from './test-support.js'

const validator = getDefaultValidator()
const strategy = strategyFor()
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length })

/** One kind of value: how to build an SCO holding it and a pattern comparison testing it. */
interface Case {
  name: string
  value: fc.Arbitrary<string>
  sco: (v: string) => StixObject
  comparison: (v: string) => string
  /** Levels at which the value is kept on purpose (hashes are not personal data below high). */
  keptAt?: readonly string[]
}

const ipv4Cidr = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, p]) => `${ip}/${p}`)
const CASES: Case[] = [
  {
    name: 'ipv4',
    value: fc.ipV4(),
    sco: (v) => sco('ipv4-addr', { value: v }),
    comparison: (v) => `ipv4-addr:value = ${quote(v)}`,
  },
  {
    name: 'ipv4 cidr',
    value: ipv4Cidr,
    sco: (v) => sco('ipv4-addr', { value: v }),
    comparison: (v) => `ipv4-addr:value ISSUBSET ${quote(v)}`,
  },
  {
    name: 'ipv6',
    value: fc.ipV6(),
    sco: (v) => sco('ipv6-addr', { value: v }),
    comparison: (v) => `ipv6-addr:value != ${quote(v)}`,
  },
  {
    name: 'domain',
    value: fc.domain().filter((d) => d.length >= 8),
    sco: (v) => sco('domain-name', { value: v }),
    comparison: (v) => `domain-name:value = ${quote(v)}`,
  },
  {
    name: 'email',
    value: fc.emailAddress().filter((e) => e.length >= 8),
    sco: (v) => sco('email-addr', { value: v }),
    comparison: (v) => `email-message:from_ref.value = ${quote(v)}`,
  },
  {
    name: 'url',
    value: fc.webUrl({ withQueryParameters: true, withFragments: true }),
    sco: (v) => sco('url', { value: v }),
    comparison: (v) => `url:value = ${quote(v)}`,
  },
  {
    name: 'sha-256',
    value: hex(64),
    sco: (v) => sco('file', { hashes: { 'SHA-256': v } }),
    comparison: (v) => `file:hashes.'SHA-256' = ${quote(v)}`,
    keptAt: ['low', 'medium'],
  },
  {
    name: 'md5',
    value: hex(32),
    sco: (v) => sco('file', { hashes: { MD5: v } }),
    comparison: (v) => `file:hashes.MD5 = ${quote(v)}`,
    keptAt: ['low', 'medium'],
  },
  {
    name: 'file name',
    value: fc.stringMatching(/^[A-Za-z0-9_-]{4,20}\.(exe|dll|pdf|docx)$/),
    sco: (v) => sco('file', { name: v }),
    comparison: (v) => `file:name = ${quote(v)}`,
  },
  {
    name: 'account login',
    value: fc.stringMatching(/^[a-z][a-z0-9._-]{5,15}$/),
    sco: (v) => sco('user-account', { account_login: v }),
    comparison: (v) => `user-account:account_login = ${quote(v)}`,
  },
  {
    name: 'user id',
    value: fc.stringMatching(/^[1-9][0-9]{7,9}$/),
    sco: (v) => sco('user-account', { user_id: v }),
    comparison: (v) => `user-account:user_id = ${quote(v)}`,
  },
]

function assertValid(out: StixObject | null): void {
  if (out === null) throw new Error('withheld')
  const result = validator.validate(out)
  if (!result.ok) throw new Error(`invalid: ${JSON.stringify(result.errors)} in ${JSON.stringify(out)}`)
}

const keyring = createPseudonymKeyring({ secret: TEST_KEY, scope: 'platform' })
const envAt = (policy: LevelPolicy) => ({ policy, p: keyring.forRecipient('x'), preserveLabels: false })
/** Prefix 32/128: the canonical text of an address, for comparing it with a network. */
const EXACT: LevelPolicy = { ...LEVEL_POLICIES.low, ipv4Prefix: 32, ipv6Prefix: 128 }

/**
 * An address that already is its own network at this level (host bits zero, e.g. 10.0.0.0 at /16, or a CIDR
 * coarser than the level) is shared as that network: it says no more than the prefix, so it may appear.
 */
function isOwnNetwork(name: string, value: string, level: (typeof LEVELS_BELOW_NONE)[number]): boolean {
  if (!name.startsWith('ip') || LEVEL_POLICIES[level].ipv4Prefix === null) return false
  const network = anonymizeIp(value, envAt(LEVEL_POLICIES[level])).value
  const exact = anonymizeIp(value, envAt(EXACT)).value
  return network === value || network.split('/')[0] === exact.split('/')[0]
}

function assertHidden(out: StixObject | null, value: string): void {
  const json = JSON.stringify(out)
  const escaped = JSON.stringify(value).slice(1, -1)
  if (json.includes(value) || json.includes(escaped)) throw new Error(`${value} leaked in ${json}`)
}

for (const c of CASES) {
  t.test(`${c.name}: valid STIX at every level, hidden from medium, deterministic`, async (t) => {
    for (const level of LEVELS_BELOW_NONE) {
      fc.assert(
        fc.property(c.value, (v) => {
          const outSco = strategy.anonymize(c.sco(v), ctx(level))
          const outIndicator = strategy.anonymize(indicator(`[${c.comparison(v)}]`), ctx(level))
          assertValid(outSco)
          assertValid(outIndicator)
          if (level !== 'low' && !c.keptAt?.includes(level) && !isOwnNetwork(c.name, v, level)) {
            assertHidden(outSco, v)
            assertHidden(outIndicator, v)
          }
          t.strictSame(strategyFor().anonymize(c.sco(v), ctx(level)), outSco)
        }),
      )
    }
  })
}

t.test('another key gives other pseudonyms; recipient scope makes recipients unlinkable', async (t) => {
  const otherKey = strategyFor({ secret: 'another-key-for-the-same-platform-000' })
  const perRecipient = strategyFor({ scope: 'recipient' })
  for (const level of ['medium', 'high', 'full'] as const) {
    fc.assert(
      fc.property(
        fc.domain().filter((d) => d.length >= 4),
        fc.emailAddress(),
        (domain, email) => {
          for (const obj of [sco('domain-name', { value: domain }), sco('email-addr', { value: email })]) {
            const a = strategy.anonymize(obj, ctx(level)) as StixObject
            const b = otherKey.anonymize(obj, ctx(level)) as StixObject
            if (a.value === b.value || a.id === b.id) throw new Error('same pseudonym under two keys')
            t.strictSame(strategy.anonymize(obj, ctx(level, 'org-a')), strategy.anonymize(obj, ctx(level, 'org-b')))
            const r1 = perRecipient.anonymize(obj, ctx(level, 'org-a')) as StixObject
            const r2 = perRecipient.anonymize(obj, ctx(level, 'org-b')) as StixObject
            if (r1.value === r2.value || r1.id === r2.id) throw new Error('two recipients can link their pseudonyms')
          }
        },
      ),
    )
  }
})

/** Whole patterns: random comparisons of every kind, joined by AND/OR inside and OR/FOLLOWEDBY/AND between observations. */
const comparison = fc.oneof(...CASES.map((c) => c.value.map((v) => ({ c, v }))))
const observation = fc.tuple(fc.array(comparison, { minLength: 1, maxLength: 3 }), fc.constantFrom('AND', 'OR'))
const wholePattern = fc.tuple(
  fc.array(observation, { minLength: 1, maxLength: 3 }),
  fc.constantFrom('OR', 'AND', 'FOLLOWEDBY'),
  fc.boolean(),
)

t.test('whole indicator patterns re-parse, validate and hide their values from medium', async (t) => {
  for (const level of LEVELS_BELOW_NONE) {
    fc.assert(
      fc.property(wholePattern, ([observations, joiner, within]) => {
        const text = observations
          .map(([cmps, op]) => `[${cmps.map(({ c, v }) => c.comparison(v)).join(` ${op} `)}]`)
          .join(` ${joiner} `)
        const out = strategy.anonymize(indicator(within ? `(${text}) WITHIN 600 SECONDS` : text), ctx(level))
        assertValid(out)
        if (level === 'low') return
        for (const [cmps] of observations) {
          for (const { c, v } of cmps)
            if (!c.keptAt?.includes(level) && !isOwnNetwork(c.name, v, level)) assertHidden(out, v)
        }
      }),
    )
  }
  t.pass('all levels')
})
