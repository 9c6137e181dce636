import { randomFillSync } from 'node:crypto'

const random = Buffer.alloc(10 * 1024)
let used = random.length

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Events and alerts are written
 * thousands per statement; ids that grow with time land at the right edge of their primary key and of the
 * indexes and foreign-key look-ups that use them, where random ids touch a different index page for each row.
 * The random part (74 bits) keeps ids unguessable and unique across processes.
 */
export function timeOrderedId(now = Date.now()): string {
  if (used === random.length) {
    randomFillSync(random)
    used = 0
  }
  const b = Buffer.allocUnsafe(16)
  b.writeUIntBE(now, 0, 6)
  random.copy(b, 6, used, used + 10)
  used += 10
  b[6] = 0x70 | (b[6] & 0x0f)
  b[8] = 0x80 | (b[8] & 0x3f)
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
