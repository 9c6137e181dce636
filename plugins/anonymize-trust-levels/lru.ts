/**
 * A bounded least-recently-used memo. Pseudonyms are a pure function of (scope key, kind, value), so caching
 * them cannot change any output; it only spares the HMAC on the hot path (feeds repeat the same values a lot).
 */
export interface BoundedMemo<V> {
  get(key: string, compute: () => V): V
  readonly size: number
}

export function createBoundedMemo<V>(maxEntries: number): BoundedMemo<V> {
  // Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, V>()
  return {
    get(key, compute) {
      const hit = entries.get(key)
      if (hit !== undefined) {
        entries.delete(key)
        entries.set(key, hit)
        return hit
      }
      const value = compute()
      entries.set(key, value)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
      return value
    },
    get size() {
      return entries.size
    },
  }
}
