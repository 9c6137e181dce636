import t from 'tap'
import { decodeCursor, encodeCursor } from './cursor.js'

const ORG = '6a1f2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b'
const OTHER = '0f4b8c52-8d7e-4c3a-9d55-6a1f2b3c4d5e'
const STAMP = '2026-11-30T10:00:00.123456Z'
/** A cursor with any payload, as a client could forge one. */
const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url')

t.test('a cursor reads back as the keyset position it was encoded from', async (t) => {
  t.same(decodeCursor(encodeCursor([STAMP, '42'], ORG), { keys: ['timestamp', 'bigint'], scope: ORG }), {
    ok: true,
    after: [STAMP, '42'],
  })
  t.same(decodeCursor(encodeCursor([ORG]), { keys: ['uuid'] }), { ok: true, after: [ORG] })
  t.same(
    decodeCursor(encodeCursor(['9007199254740993']), { keys: ['id'] }),
    { ok: true, after: ['9007199254740993'] },
    'a bigint beyond 2^53 stays exact text',
  )
  t.same(
    decodeCursor(encodeCursor([ORG]), { keys: ['id'] }),
    { ok: true, after: [ORG] },
    'an id is a UUID or a sequence number',
  )
})

t.test('REST and TAXII cursors share one payload: `after` (and `scope` when bound)', async (t) => {
  t.same(JSON.parse(Buffer.from(encodeCursor([STAMP, '7'], `${OTHER}/${ORG}`), 'base64url').toString('utf8')), {
    after: [STAMP, '7'],
    scope: `${OTHER}/${ORG}`,
  })
  t.same(JSON.parse(Buffer.from(encodeCursor(['7']), 'base64url').toString('utf8')), { after: ['7'] })
  t.match(encodeCursor([STAMP, '7'], ORG), /^[\w-]+$/, 'URL-safe as is')
})

t.test('a tampered cursor is refused as malformed, never handed on', async (t) => {
  const expect = { keys: ['timestamp', 'bigint'], scope: ORG } as const
  const good = encodeCursor([STAMP, '42'], ORG)
  const malformed = { ok: false, problem: 'malformed' }
  t.same(decodeCursor(`${good.slice(0, -3)}!!!`, expect), malformed, 'not base64url')
  t.same(decodeCursor('bm90IGpzb24', expect), malformed, 'not JSON')
  t.same(decodeCursor(forge([STAMP, '42']), expect), malformed, 'not an object')
  t.same(
    decodeCursor(forge({ d: STAMP, s: '42', o: ORG }), expect),
    malformed,
    'another payload shape (the old TAXII one)',
  )
  t.same(decodeCursor(forge({ after: [STAMP, "42'; DROP TABLE x"], scope: ORG }), expect), malformed, 'SQL in a value')
  t.same(
    decodeCursor(forge({ after: ['2026-11-30T10:00:00Z', '42'], scope: ORG }), expect),
    malformed,
    'a timestamp not in the six-digit form',
  )
  t.same(decodeCursor(forge({ after: [STAMP], scope: ORG }), expect), malformed, 'too few values')
  t.same(decodeCursor(forge({ after: [STAMP, '42', '1'], scope: ORG }), expect), malformed, 'too many values')
  t.same(decodeCursor(forge({ after: [STAMP, 42], scope: ORG }), expect), malformed, 'a number where text is encoded')
  t.same(decodeCursor(forge({ after: [STAMP, '42'], scope: 7 }), expect), malformed, 'a scope that is not text')
  t.same(decodeCursor('A'.repeat(600), expect), malformed, 'longer than any cursor issued')
})

t.test('a value of the wrong kind is refused', async (t) => {
  t.same(
    decodeCursor(encodeCursor(['42']), { keys: ['uuid'] }),
    { ok: false, problem: 'malformed' },
    'a number for a UUID',
  )
  t.same(
    decodeCursor(encodeCursor([ORG]), { keys: ['bigint'] }),
    { ok: false, problem: 'malformed' },
    'a UUID for a number',
  )
  t.same(decodeCursor(encodeCursor(['not-an-id']), { keys: ['id'] }), { ok: false, problem: 'malformed' })
  t.same(
    decodeCursor(encodeCursor(['12345678901234567890']), { keys: ['bigint'] }),
    { ok: false, problem: 'malformed' },
    'more digits than a bigint has',
  )
})

t.test('a cursor issued to one scope is refused in another', async (t) => {
  const cursor = encodeCursor(['42'], ORG)
  t.same(decodeCursor(cursor, { keys: ['bigint'], scope: OTHER }), { ok: false, problem: 'other-scope' })
  t.same(
    decodeCursor(cursor, { keys: ['bigint'] }),
    { ok: false, problem: 'other-scope' },
    'a bound cursor where none is expected',
  )
  t.same(
    decodeCursor(encodeCursor(['42']), { keys: ['bigint'], scope: ORG }),
    { ok: false, problem: 'other-scope' },
    'an unbound cursor where one is expected',
  )
})
