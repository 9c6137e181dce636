import t from 'tap'
import { indexObservables } from './observable-index.js'
import { probeKeys, releasedKeys } from './released-keys.js'
import type { StixObject } from '../../plugin-api/index.js'

const indicator = (pattern: string) =>
  ({
    type: 'indicator',
    id: 'indicator--00000000-0000-4000-8000-000000000001',
    pattern,
    pattern_type: 'stix',
  }) as unknown as StixObject

t.test('every value the look-up would accept is found by a probe key; pseudonyms get no key', async (t) => {
  const events = [
    {
      id: 'e1',
      observables: [
        { type: 'ipv4-addr' as const, value: '198.51.7.9' },
        { type: 'domain-name' as const, value: 'Evil.Example.com' },
      ],
    },
    {
      id: 'e2',
      observables: [
        { type: 'ipv6-addr' as const, value: '2001:db8:1:2::5' },
        { type: 'sha256' as const, value: 'AB'.repeat(32) },
      ],
    },
  ]
  const released = [
    indicator("[ipv4-addr:value ISSUBSET '198.51.0.0/16']"),
    indicator("[ipv6-addr:value ISSUBSET '2001:db8:1::/48']"),
    indicator("[domain-name:value = 'evil.example.com']"),
    indicator("[file:hashes.'SHA-256' = '" + 'ab'.repeat(32) + "']"),
  ]
  const keys = released.flatMap((o) => releasedKeys(o))
  const probe = probeKeys(events, new Set(keys.flatMap((k) => (k.prefix ? [k.prefix] : []))))
  const probed = new Set(probe.kinds.map((kind, i) => `${kind} ${probe.values[i]}`))
  const lookup = indexObservables(events)
  t.ok(
    released.every((o) => releasedKeys(o).length && lookup.size),
    'each released value has its key',
  )
  for (const key of keys) t.ok(probed.has(`${key.kind} ${key.value}`), `${key.kind} ${key.value} is probed`)
  t.equal(keys.length, 4)

  t.same(releasedKeys(indicator("[domain-name:value = 'mf5yq2.invalid']")), [], 'a keyed pseudonym gets no key')
  t.same(releasedKeys(indicator("[ipv4-addr:value = '241.2.3.4']")), [], 'a keyed address (240.0.0.0/4) gets no key')
  t.same(
    releasedKeys(indicator("[ipv4-addr:value ISSUBSET '241.2.0.0/16']")).length,
    1,
    'a released network in that range is still a network',
  )
  t.same(
    probeKeys(events, new Set()).kinds.filter((k) => k.startsWith('ipv')),
    [],
    'no address prefix indexed: addresses are not probed',
  )
})
