import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { createHmacSha256 } from './hmac-sha256.js'

const reference = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest('hex')

t.test('RFC 4231 test case 2 (key "Jefe")', async (t) => {
  const mac = createHmacSha256(Buffer.from('Jefe'))
  t.equal(
    mac.digest('what do ya want for nothing?').toString('hex'),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  )
})

t.test('every message length across the block and padding boundaries', async (t) => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef')
  const mac = createHmacSha256(key)
  for (let n = 0; n <= 260; n++) {
    const text = 'x'.repeat(n)
    if (mac.digest(text).toString('hex') !== reference(key, text)) t.fail(`length ${n}`)
  }
  t.pass('0 … 260 bytes')
})

t.test(
  'random keys (also longer than a block) and unicode messages (lone surrogates too) equal node:crypto',
  async (t) => {
    await fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 100 }),
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.string({ maxLength: 40 }),
        (key, text, other) => {
          const mac = createHmacSha256(key)
          // Interleaved calls and two keys alive at once: the shared scratch space must not leak between them.
          const second = createHmacSha256(Buffer.concat([Buffer.from(key), Buffer.from('k')]))
          const a = mac.digest(text).toString('hex')
          second.digest(other)
          return a === reference(key, text) && mac.digest(other).toString('hex') === reference(key, other)
        },
      ),
      { numRuns: 2000 },
    )
    t.pass('2000 cases')
  },
)

t.test('each digest is its own buffer', async (t) => {
  const mac = createHmacSha256(Buffer.from('key'))
  const a = mac.digest('a')
  const b = mac.digest('b')
  t.not(a.toString('hex'), b.toString('hex'))
  t.equal(a.toString('hex'), reference(Buffer.from('key'), 'a'))
})
