import t from 'tap'
import { indexObservables } from './observable-index.js'

const events = [
  {
    id: 'e1',
    observables: [
      { type: 'ipv4-addr' as const, value: '203.0.113.77' },
      { type: 'domain-name' as const, value: 'evil.example.com' },
    ],
  },
  {
    id: 'e2',
    observables: [
      { type: 'ipv4-addr' as const, value: '198.51.7.9' },
      { type: 'sha256' as const, value: 'ab'.repeat(32) },
    ],
  },
]

t.test('addresses match exactly and by every network prefix they fall in', async (t) => {
  const index = indexObservables(events)
  t.same(
    index.lookup({ kind: 'ipv4-addr', value: '203.0.113.77', prefix: false }).map((h) => h.eventId),
    ['e1'],
  )
  t.same(
    index.lookup({ kind: 'ipv4-addr', value: '203.0.0.0/16', prefix: true }).map((h) => h.eventId),
    ['e1'],
  )
  t.same(
    index.lookup({ kind: 'ipv4-addr', value: '198.0.0.0/8', prefix: true }).map((h) => h.eventId),
    ['e2'],
  )
  t.same(index.lookup({ kind: 'ipv4-addr', value: '203.0.114.0/24', prefix: true }), [])
  t.same(index.lookup({ kind: 'ipv6-addr', value: '2001:db8::/32', prefix: true }), [])
})

t.test('pseudonyms match nothing, exact kinds compare case-insensitively where they should', async (t) => {
  const index = indexObservables([
    ...events,
    {
      id: 'e3',
      observables: [
        { type: 'ipv4-addr' as const, value: '240.182.45.203' },
        { type: 'domain-name' as const, value: 'oicuo54pck6cecvs.invalid' },
      ],
    },
  ])
  t.same(index.lookup({ kind: 'ipv4-addr', value: '240.182.45.203', prefix: false }), [], 'a keyed address pseudonym')
  t.same(
    index.lookup({ kind: 'domain-name', value: 'oicuo54pck6cecvs.invalid', pseudonym: true }),
    [],
    'a keyed domain pseudonym',
  )
  t.same(
    index.lookup({ kind: 'domain-name', value: 'EVIL.example.com', pseudonym: false }).map((h) => h.eventId),
    ['e1'],
  )
  t.same(
    index.lookup({ kind: 'sha256', value: 'AB'.repeat(32) }).map((h) => h.eventId),
    ['e2'],
  )
  t.same(index.lookup({ kind: 'md5', value: 'ab'.repeat(16) }), [])
})
