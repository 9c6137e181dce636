import type { Knex } from 'knex'

/**
 * Failed-login limits: at most `max` failures per `windowMs` per IP and per account, counted in PostgreSQL
 * (`login_failures`) so every API node sees every node's failures: N nodes do not give an attacker N× the
 * budget. Times are the database's clock, so nodes with skewed clocks still agree.
 */
export interface LoginLimiter {
  /** Seconds to wait when the IP or the account is locked, else 0. */
  retryAfter(keys: { ip: string; account: string }): Promise<number>
  recordFailure(keys: { ip: string; account: string }): Promise<void>
  /** A success forgives the account's failures (not the IP's: one right guess must not unlock a spray). */
  recordSuccess(keys: { account: string }): Promise<void>
}

const keysOf = (k: { ip: string; account: string }) => [`account:${k.account.toLowerCase()}`, `ip:${k.ip}`]

export function createLoginLimiter(options: { db: Knex; max?: number; windowMs?: number }): LoginLimiter {
  const { db } = options
  const max = options.max ?? 5
  const windowMs = options.windowMs ?? 5 * 60_000
  const window = `${windowMs} milliseconds`
  let lastPurge = 0

  // Expired rows are dropped now and then by whichever node records a failure; reads ignore them anyway.
  const purgeExpired = async () => {
    if (Date.now() - lastPurge < windowMs) return
    lastPurge = Date.now()
    await db('login_failures').where('expires_at', '<', db.fn.now()).delete()
  }

  return {
    async retryAfter(k) {
      // Per key: milliseconds until each failure still inside the window leaves it, oldest first.
      const { rows } = await db.raw<{ rows: { remaining: number[] }[] }>(
        `SELECT array(SELECT (extract(epoch FROM t + ?::interval - now()) * 1000)::float8 FROM unnest(failed_at) t
                      WHERE t > now() - ?::interval ORDER BY t) AS remaining
           FROM login_failures WHERE key = ANY(?)`,
        [window, window, keysOf(k)],
      )
      const waits = rows.map(({ remaining }) =>
        remaining.length < max ? 0 : Math.max(1, Math.ceil(remaining[remaining.length - max] / 1000)),
      )
      return Math.max(0, ...waits)
    },
    async recordFailure(k) {
      // One statement for both keys, always in the same order (no deadlock between two nodes): the row lock of
      // ON CONFLICT makes concurrent failures on different nodes add up instead of overwriting each other.
      await db.raw(
        `INSERT INTO login_failures AS f (key, failed_at, expires_at)
           SELECT key, ARRAY[now()], now() + ?::interval FROM unnest(?::text[]) AS key ORDER BY key
         ON CONFLICT (key) DO UPDATE SET
           failed_at = ARRAY(SELECT t FROM (SELECT t FROM unnest(f.failed_at) t WHERE t > now() - ?::interval ORDER BY t DESC LIMIT ?) kept
                             ORDER BY t) || now(),
           expires_at = now() + ?::interval`,
        [window, keysOf(k), window, max - 1, window],
      )
      await purgeExpired()
    },
    async recordSuccess(k) {
      await db('login_failures')
        .where({ key: `account:${k.account.toLowerCase()}` })
        .delete()
    },
  }
}
