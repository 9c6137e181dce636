/**
 * A bounded, approximately least-recently-used memo. Pseudonyms are a pure function of (scope key, kind,
 * value), so caching them cannot change any output; it only spares the HMAC on the hot path (feeds repeat
 * the same values a lot).
 *
 * Two generations instead of a strict LRU list: a hit in the young map costs one lookup (a strict LRU's
 * delete + re-insert on every hit was the top item of the benchmark profile); a hit in the old map promotes
 * the entry; when the young map is full the old one is dropped whole. At most `maxEntries` are kept, and an
 * entry used at least once per generation is never evicted.
 */
export interface BoundedMemo<V> {
  get(key: string, compute: () => V): V
  readonly size: number
}

export function createBoundedMemo<V>(maxEntries: number): BoundedMemo<V> {
  const generationSize = Math.max(1, Math.floor(maxEntries / 2))
  let young = new Map<string, V>()
  let old = new Map<string, V>()
  const remember = (key: string, value: V) => {
    if (young.size >= generationSize) {
      old = young
      young = new Map()
    }
    young.set(key, value)
  }
  return {
    get(key, compute) {
      const hit = young.get(key)
      if (hit !== undefined) return hit
      const previous = old.get(key)
      const value = previous !== undefined ? previous : compute()
      remember(key, value)
      return value
    },
    get size() {
      return young.size + old.size
    },
  }
}
