import { createHash } from 'node:crypto'

/**
 * Remembers lines already written, in bounded memory: at most `max` entries, long values stored as their
 * SHA-1 digest (28 characters) so a URL costs no more than a hash. Past `max`, new values are no longer
 * remembered and may repeat: a blocklist with a rare duplicate is harmless, one missing entries is not.
 */
export function createDeduper(max: number): { firstTime(line: string): boolean } {
  const seen = new Set<string>()
  return {
    firstTime(line) {
      const key = line.length > 28 ? createHash('sha1').update(line).digest('base64') : line
      if (seen.has(key)) return false
      if (seen.size < max) seen.add(key)
      return true
    },
  }
}
