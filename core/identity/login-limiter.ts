/**
 * Failed-login limits: at most `max` failures per `windowMs` per IP and per account. Kept in memory: one
 * process sees its own failures only, so with N API nodes an attacker gets up to N× the budget. That is
 * accepted for now (documented in docs/auth.md); a shared store would replace the two maps.
 */
export interface LoginLimiter {
  /** Seconds to wait when the IP or the account is locked, else 0. */
  retryAfter(keys: { ip: string; account: string }): number
  recordFailure(keys: { ip: string; account: string }): void
  /** A success forgives the account's failures (not the IP's: one right guess must not unlock a spray). */
  recordSuccess(keys: { account: string }): void
}

export function createLoginLimiter(options: { max?: number; windowMs?: number; now?: () => number } = {}): LoginLimiter {
  const max = options.max ?? 5
  const windowMs = options.windowMs ?? 5 * 60_000
  const now = options.now ?? Date.now
  const failures = new Map<string, number[]>()

  const recent = (key: string): number[] => {
    const cutoff = now() - windowMs
    const list = (failures.get(key) ?? []).filter((t) => t > cutoff)
    if (list.length) failures.set(key, list)
    else failures.delete(key)
    return list
  }
  const wait = (key: string): number => {
    const list = recent(key)
    return list.length < max ? 0 : Math.max(1, Math.ceil((list[list.length - max] + windowMs - now()) / 1000))
  }
  const keysOf = (k: { ip: string; account: string }) => [`ip:${k.ip}`, `account:${k.account.toLowerCase()}`]

  return {
    retryAfter: (k) => Math.max(...keysOf(k).map(wait)),
    recordFailure(k) {
      for (const key of keysOf(k)) failures.set(key, [...recent(key), now()])
    },
    recordSuccess(k) {
      failures.delete(`account:${k.account.toLowerCase()}`)
    },
  }
}
