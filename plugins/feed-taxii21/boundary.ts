import { compareTimestamps } from '../../core/plugin-api/index.js'

/**
 * Remembers the objects (id + version) that may come back when the next request asks for
 * `added_after = <latest X-TAXII-Date-Added-Last>` from a server that treats added_after as inclusive.
 * Only pages ending on that latest date can hold such objects, so older pages are forgotten and memory stays
 * bounded by the objects sharing one date_added.
 */
export function createBoundaryTracker() {
  let date: string | undefined
  let keys = new Set<string>()
  return {
    has: (key: string) => keys.has(key),
    record(pageLast: string | undefined, pageKeys: readonly string[]) {
      if (pageLast !== undefined && (date === undefined || compareTimestamps(pageLast, date) > 0)) {
        date = pageLast
        keys = new Set(pageKeys)
        return
      }
      for (const key of pageKeys) keys.add(key)
    },
  }
}

/** `id` plus version: a newer version of a known object is new. */
export function versionKey(obj: { id: string; modified?: unknown; created?: unknown }): string {
  return `${obj.id}|${String(obj.modified ?? obj.created ?? '')}`
}
