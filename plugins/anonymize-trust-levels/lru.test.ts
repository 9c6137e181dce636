import t from 'tap'
import { createBoundedMemo } from './lru.js'

t.test('computes once, stays bounded, keeps what is used', async (t) => {
  const memo = createBoundedMemo<string>(10)
  let computed = 0
  const get = (k: string) => memo.get(k, () => `v${k}${(computed += 1) && ''}`)
  t.equal(get('a'), 'va')
  t.equal(get('a'), 'va')
  t.equal(computed, 1, 'a hit does not recompute')
  for (let i = 0; i < 100; i += 1) {
    get(String(i))
    get('a')
    t.ok(memo.size <= 10, 'never more than maxEntries')
  }
  t.equal(computed, 101, "'a', used every round, was never evicted")
})

t.test('a character budget bounds memory whatever the length of the values', async (t) => {
  const memo = createBoundedMemo<string>(1_000, { maxChars: 1_000 })
  const long = 'x'.repeat(200)
  for (let i = 0; i < 100; i += 1) {
    t.equal(
      memo.get(`k${i}`, () => `${long}${i}`),
      `${long}${i}`,
    )
    t.ok(memo.size <= 8, 'two generations of at most 500 characters each (+ one entry)')
  }
})

t.test(
  'with a doorkeeper, values are admitted the second time they are computed, and outputs never change',
  async (t) => {
    const memo = createBoundedMemo<string>(100, { recent: 4 })
    let computed = 0
    const get = (k: string) => memo.get(k, () => `v${k}${(computed += 1) && ''}`)
    t.equal(get('a'), 'va')
    t.equal(get('a'), 'va', 'a near repeat is served by the recent memo')
    t.equal(computed, 1)
    for (let i = 0; i < 10; i += 1) get(`x${i}`)
    t.equal(get('a'), 'va', 'after leaving the recent memo it is computed again …')
    t.equal(computed, 12)
    for (let i = 10; i < 20; i += 1) get(`x${i}`)
    t.equal(get('a'), 'va', '… and now stays in the memo')
    t.equal(computed, 22)
    t.ok(memo.size <= 104)
  },
)
