import t from 'tap'
import { timeOrderedId } from './time-ordered-id.js'

t.test('version 7 UUIDs: time first, then random; ordered by time, never repeated', async (t) => {
  const ids = Array.from({ length: 5000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 100)))
  t.same(
    ids.filter((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
    [],
    'version 7, variant 10',
  )
  t.equal(new Set(ids).size, ids.length)
  t.equal(ids[0].slice(0, 13), '018bcfe5-6800', 'the first 48 bits are the milliseconds')
  const byTime = ids.map((id) => id.slice(0, 13))
  t.same(byTime, [...byTime].sort(), 'a later millisecond sorts later')
})
