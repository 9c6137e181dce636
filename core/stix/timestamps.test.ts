import t from 'tap'
import { compareTimestamps, isStixTimestamp, toMicrosecondTimestamp } from './timestamps.js'

t.test('isStixTimestamp', async (t) => {
  for (const ok of [
    '2016-05-12T08:17:27Z',
    '2016-05-12T08:17:27.000Z',
    '2016-05-12T08:17:27.123456789Z',
    '2024-02-29T00:00:00Z',
    '2016-12-31T23:59:60Z',
  ]) {
    t.ok(isStixTimestamp(ok), ok)
  }
  for (const bad of [
    '2016-05-12T08:17:27',
    '2016-05-12T08:17:27+01:00',
    '2016-05-12 08:17:27Z',
    '2023-02-29T00:00:00Z',
    '2016-04-31T00:00:00Z',
    '2016-13-01T00:00:00Z',
    '2016-05-12T08:17:27.Z',
    20160512,
  ]) {
    t.notOk(isStixTimestamp(bad), String(bad))
  }
})

t.test('compareTimestamps orders instants whatever the precision', async (t) => {
  // Lexically 'Z' > '.', which would put 00Z after 00.5Z.
  t.ok(compareTimestamps('2016-01-01T00:00:00Z', '2016-01-01T00:00:00.5Z') < 0)
  t.ok(compareTimestamps('2016-01-01T00:00:00.5Z', '2016-01-01T00:00:00Z') > 0)
  t.equal(compareTimestamps('2016-01-01T00:00:00.1Z', '2016-01-01T00:00:00.100000Z'), 0)
  t.equal(compareTimestamps('2016-01-01T00:00:00Z', '2016-01-01T00:00:00.000Z'), 0)
  t.ok(compareTimestamps('2016-01-01T00:00:00.0000001Z', '2016-01-01T00:00:00Z') > 0, 'sub-microsecond digits count')
  t.ok(compareTimestamps('2015-12-31T23:59:59.999Z', '2016-01-01T00:00:00Z') < 0)
  t.throws(() => compareTimestamps('yesterday', '2016-01-01T00:00:00Z'), TypeError)
})

t.test('toMicrosecondTimestamp', async (t) => {
  t.equal(toMicrosecondTimestamp('2016-01-01T00:00:00Z'), '2016-01-01T00:00:00.000000Z')
  t.equal(toMicrosecondTimestamp('2016-01-01T00:00:00.5Z'), '2016-01-01T00:00:00.500000Z')
  t.equal(toMicrosecondTimestamp('2016-01-01T00:00:00.123456789Z'), '2016-01-01T00:00:00.123456Z')
  t.equal(toMicrosecondTimestamp(new Date('2016-01-01T00:00:00.042Z')), '2016-01-01T00:00:00.042000Z')
  t.throws(() => toMicrosecondTimestamp(new Date('invalid')), TypeError)
  t.throws(() => toMicrosecondTimestamp('2016-01-01'), TypeError)
})
