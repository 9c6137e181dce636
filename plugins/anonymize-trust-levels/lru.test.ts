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
