import t from 'tap'
import { toKnexRaw } from './enqueue.js'

t.test('each $n becomes a ? bound in textual order, repeats included; unset values bind NULL', async (t) => {
  t.same(toKnexRaw('SELECT $2, $1, $10, $2', [1, 'b', 3, 4, 5, 6, 7, 8, 9, undefined]), {
    sql: 'SELECT ?, ?, ?, ?',
    bindings: ['b', 1, null, 'b'],
  })
})

t.test('a ? of the SQL, in a literal or not, is escaped; $n in a literal is text', async (t) => {
  t.same(toKnexRaw(`SELECT data ? 'k', '$1 ?', "a?b", $1`, ['v']), {
    sql: `SELECT data \\? 'k', '$1 \\?', "a\\?b", ?`,
    bindings: ['v'],
  })
  t.same(
    toKnexRaw(`SELECT 'it''s $1', $1`, ['v']).sql,
    `SELECT 'it''s $1', ?`,
    'doubled quotes stay inside the literal',
  )
})

t.test('a parameter pg-boss did not pass is an error, not a silent NULL', async (t) => {
  t.throws(() => toKnexRaw('SELECT $2', ['only one']), /\$2/)
  t.throws(() => toKnexRaw('SELECT $0', []), /\$0/)
})
