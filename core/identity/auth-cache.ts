import type { Role } from '../plugin-api/index.js'

/**
 * Short-lived in-process caches for per-request credential checks. Each entry lives `ttlMs` at most, and
 * every change that must take effect at once (deactivation, password change, logout, key revocation) calls
 * `invalidate` after its transaction commits. A generation counter per key (and one for the whole cache) stops
 * a load that started before the invalidation from re-inserting the stale value. Other API nodes hear of the
 * change through PostgreSQL (core/identity/auth-cache-sync.ts) and invalidate too; while a node cannot hear
 * them, its caches are off (`setEnabled(false)`).
 */
export interface TtlCache<V> {
  get(key: string, load: () => Promise<V>): Promise<V>
  invalidate(key: string): void
  /** Drops every entry (notifications may have been missed). */
  clear(): void
  /** Off: every `get` loads, nothing is kept. */
  setEnabled(enabled: boolean): void
}

export function createTtlCache<V>(options: { ttlMs: number; maxEntries?: number }): TtlCache<V> {
  const entries = new Map<string, { value: V; expires: number }>()
  const generations = new Map<string, number>()
  const maxEntries = options.maxEntries ?? 50_000
  let epoch = 0
  let enabled = true
  const clear = () => {
    entries.clear()
    generations.clear()
    epoch++
  }
  return {
    async get(key, load) {
      if (!enabled) return load()
      const hit = entries.get(key)
      if (hit && hit.expires > Date.now()) return hit.value
      const generation = generations.get(key) ?? 0
      const startedIn = epoch
      const value = await load()
      if (enabled && startedIn === epoch && (generations.get(key) ?? 0) === generation) {
        if (entries.size >= maxEntries) entries.clear() // crude bound; a burst of distinct keys just reloads
        entries.set(key, { value, expires: Date.now() + options.ttlMs })
      }
      return value
    },
    invalidate(key) {
      entries.delete(key)
      generations.set(key, (generations.get(key) ?? 0) + 1)
    },
    clear,
    setEnabled(value) {
      enabled = value
      clear()
    },
  }
}

/** What a request needs to know about a user, re-read at most every few seconds. */
export interface UserState {
  id: string
  orgId: string
  role: Role
  email: string
  active: boolean
  tokenVersion: number
}

// Module-level so the services (also called by the admin console and the CLI) can invalidate without being
// handed the cache; keys are UUIDs and hashes, so apps sharing a process (tests) never collide.
export const userStates = createTtlCache<UserState | null>({ ttlMs: 5_000 })
/** Session (refresh family) id → revoked? */
export const sessionStates = createTtlCache<boolean>({ ttlMs: 5_000 })
/** sha256(api key) → key id and owner, or null for unknown/revoked/expired keys. */
export const apiKeyStates = createTtlCache<{ keyId: string; userId: string; expiresAt: Date | null } | null>({
  ttlMs: 30_000,
})
/** key id → its hash, so a revocation can drop the cached entry. */
export const apiKeyHashes = new Map<string, string>()

export function invalidateApiKey(keyId: string): void {
  const hash = apiKeyHashes.get(keyId)
  if (hash) apiKeyStates.invalidate(hash)
}
