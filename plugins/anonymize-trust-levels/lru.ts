/**
 * A bounded, approximately least-recently-used memo. Pseudonyms are a pure function of (scope key, kind,
 * value), so caching them cannot change any output; it only spares the HMAC on the hot path (feeds repeat
 * the same values a lot).
 *
 * Two generations instead of a strict LRU list: a hit in the young map costs one lookup (a strict LRU's
 * delete + re-insert on every hit was the top item of the benchmark profile); a hit in the old map promotes
 * the entry; when the young map is full the old one is dropped whole. At most `maxEntries` are kept, and an
 * entry used at least once per generation is never evicted.
 *
 * Entries count, and so can characters: with `maxChars` a generation also ends when its keys and string values
 * reach half of it, so a run of long values (URLs of a few KB) cannot make a full memo hundreds of MB.
 */
export interface BoundedMemo<V> {
  get(key: string, compute: () => V): V
  readonly size: number
}

export interface BoundedMemoOptions {
  /** Also end a generation when its keys and string values reach half of this many characters. */
  maxChars?: number
  /**
   * Admit a value to the memo only the second time its key is computed (a "doorkeeper", as in TinyLFU):
   * the first time it goes to a small memo of `recent` entries, which also serves repeats close together
   * (one domain in an indicator's name, description and pattern). Values seen once, the bulk of a large
   * export, then never enter the big memo, so they neither evict repeated values nor live long enough to be
   * promoted to V8's old generation; a value that comes back later (from the recent memo's older half, or
   * after leaving it) is admitted.
   */
  recent?: number
}

/** Bits of the doorkeeper's Bloom filter (128 KB); cleared when an eighth of them have been set. */
const DOORKEEPER_BITS = 1 << 20

/** Two-probe Bloom filter over keys: `check(key)` says whether the key was marked before, and marks it. */
function createDoorkeeper() {
  const bits = new Uint32Array(DOORKEEPER_BITS / 32)
  let marked = 0
  return (key: string): boolean => {
    // FNV-1a, then a second probe from a rotation of the same hash.
    let h = 0x811c9dc5
    for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
    const a = (h >>> 0) & (DOORKEEPER_BITS - 1)
    const b = ((h >>> 13) | (h << 19)) & (DOORKEEPER_BITS - 1)
    const seen = (bits[a >>> 5] & (1 << (a & 31))) !== 0 && (bits[b >>> 5] & (1 << (b & 31))) !== 0
    if (!seen) {
      if (marked >= DOORKEEPER_BITS / 8) {
        bits.fill(0)
        marked = 0
      }
      bits[a >>> 5] |= 1 << (a & 31)
      bits[b >>> 5] |= 1 << (b & 31)
      marked += 1
    }
    return seen
  }
}

function createGenerations<V>(maxEntries: number, maxChars: number) {
  const generationSize = Math.max(1, Math.floor(maxEntries / 2))
  const generationChars = maxChars / 2
  let young = new Map<string, V>()
  let old = new Map<string, V>()
  let youngChars = 0
  return {
    young: (key: string) => young.get(key),
    old: (key: string) => old.get(key),
    remember(key: string, value: V) {
      const chars = key.length + (typeof value === 'string' ? value.length : 0)
      if (young.size >= generationSize || (youngChars + chars > generationChars && young.size > 0)) {
        old = young
        young = new Map()
        youngChars = 0
      }
      young.set(key, value)
      youngChars += chars
    },
    get size() {
      return young.size + old.size
    },
  }
}

export function createBoundedMemo<V>(maxEntries: number, options: BoundedMemoOptions = {}): BoundedMemo<V> {
  const main = createGenerations<V>(maxEntries, options.maxChars ?? Infinity)
  const recent = options.recent ? createGenerations<V>(options.recent, Infinity) : undefined
  const seenBefore = recent ? createDoorkeeper() : undefined
  return {
    get(key, compute) {
      const hit = main.young(key)
      if (hit !== undefined) return hit
      const previous = main.old(key)
      if (previous !== undefined) {
        main.remember(key, previous)
        return previous
      }
      if (!recent || !seenBefore) {
        const value = compute()
        main.remember(key, value)
        return value
      }
      const near = recent.young(key)
      if (near !== undefined) return near
      const older = recent.old(key)
      if (older !== undefined) {
        // Back after a generation of other values: a repeated value, so it moves to the memo.
        main.remember(key, older)
        return older
      }
      const value = compute()
      if (seenBefore(key)) main.remember(key, value)
      else recent.remember(key, value)
      return value
    },
    get size() {
      return main.size + (recent?.size ?? 0)
    },
  }
}
