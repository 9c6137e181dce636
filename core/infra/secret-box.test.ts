import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createSecretBox, keyMaterial } from './secret-box.js'

const box = (current: string, previous?: string) =>
  createSecretBox({ current, previous, variable: 'CRISP_SECRETS_KEY' })

t.test('keys: 32 bytes as hex or base64 are the key; other strings are HKDF passphrases', async (t) => {
  const raw = randomBytes(32)
  t.same(keyMaterial(raw.toString('hex')), raw)
  t.same(keyMaterial(raw.toString('base64')), raw, 'base64 with padding')
  t.same(keyMaterial(raw.toString('base64url')), raw)
  const phrase = 'a passphrase of more than thirty-two characters'
  t.equal(keyMaterial(phrase).length, 32)
  t.same(keyMaterial(phrase), keyMaterial(phrase), 'derived the same way every time')
  t.notSame(keyMaterial(phrase), keyMaterial(`${phrase}!`))
})

t.test('seal/open round trip; every seal differs; a changed byte or another key does not open', async (t) => {
  const a = box('a'.repeat(64))
  const sealed = a.seal('"s3cret"')
  t.match(sealed, new RegExp(`^enc:v1:${a.kid}:[\\w-]{16}:[\\w-]{22}:[\\w-]+$`))
  t.notOk(sealed.includes('s3cret'))
  t.not(a.seal('"s3cret"'), sealed, 'fresh IV each time')
  t.equal(a.open(sealed), '"s3cret"')
  const parts = sealed.split(':')
  const flipped = parts[5][0] === 'A' ? 'B' : 'A'
  t.throws(() => a.open([...parts.slice(0, 5), flipped + parts[5].slice(1)].join(':')), /altered/)
  t.throws(
    () => a.open(sealed.replace(`:${a.kid}:`, `:${box('b'.repeat(64)).kid}:`)),
    /not CRISP_SECRETS_KEY/,
    'a value claiming another kid is not opened',
  )
  t.throws(
    () => box('b'.repeat(64)).open(sealed),
    /sealed with key id .*, which is not CRISP_SECRETS_KEY .*CRISP_SECRETS_KEY_PREVIOUS/,
  )
  t.equal(box('b'.repeat(64), 'a'.repeat(64)).open(sealed), '"s3cret"', 'the previous key still opens')
  t.throws(() => a.open('not sealed'), /not a sealed secret/)
})
