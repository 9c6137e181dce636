import t from 'tap'
import { excerpt } from './excerpt.js'

t.test('one line of visible characters, at most max long', async (t) => {
  t.equal(excerpt('line 3: "ok"', 160), 'line 3: "ok"', 'ordinary text unchanged')
  t.equal(excerpt('a\nb\r\n\tc\u0000d\u001b[2Je', 160), 'a b c d [2Je', 'control characters become one space')
  t.equal(
    excerpt('evil\u202Etxt.exe\u2028next\u200B!', 160),
    'evil txt.exe next !',
    'bidi overrides, line separators, zero-width',
  )
  t.equal(excerpt('x\ud800y\udc00z', 160), 'x\ufffdy\ufffdz', 'lone surrogates replaced (PostgreSQL refuses them)')
  t.equal(excerpt('😀'.repeat(10), 10), '😀'.repeat(10), 'counted in characters, not UTF-16 units')
  const long = excerpt('A'.repeat(5000), 160)
  t.equal([...long].length, 160)
  t.ok(long.endsWith('…'), 'a cut is marked')
})
