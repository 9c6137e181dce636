/**
 * STIX timestamps are RFC 3339 in UTC with any number of fractional digits, so
 * `...:00Z` vs `...:00.5Z` cannot be compared as strings ('Z' sorts after '.').
 */
const TIMESTAMP =
  /^([0-9]{4})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(?:\.([0-9]+))?Z$/

interface ParsedTimestamp {
  /** `YYYY-MM-DDTHH:MM:SS` */
  seconds: string
  /** Fractional digits, possibly empty. */
  fraction: string
}

function parse(s: string): ParsedTimestamp | null {
  const m = TIMESTAMP.exec(s)
  if (!m) return null
  const [, year, month, day] = m
  // The regex allows 31 days in every month; reject e.g. 2023-02-30.
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
  if (Number(day) > daysInMonth) return null
  return { seconds: s.slice(0, 19), fraction: m[7] ?? '' }
}

export function isStixTimestamp(s: unknown): s is string {
  return typeof s === 'string' && parse(s) !== null
}

function parseOrThrow(s: string): ParsedTimestamp {
  const parsed = parse(s)
  if (!parsed) throw new TypeError(`not a STIX timestamp: ${JSON.stringify(s)}`)
  return parsed
}

/**
 * Chronological comparison (negative, 0, positive) of two STIX timestamps whatever their
 * precision; fractions are zero-padded to a common length so no digit is lost.
 * Throws a TypeError on a malformed timestamp.
 */
export function compareTimestamps(a: string, b: string): number {
  const pa = parseOrThrow(a)
  const pb = parseOrThrow(b)
  if (pa.seconds !== pb.seconds) return pa.seconds < pb.seconds ? -1 : 1
  const width = Math.max(pa.fraction.length, pb.fraction.length)
  const fa = pa.fraction.padEnd(width, '0')
  const fb = pb.fraction.padEnd(width, '0')
  return fa === fb ? 0 : fa < fb ? -1 : 1
}

/**
 * Canonical microsecond form `YYYY-MM-DDTHH:MM:SS.ffffffZ` of a Date or STIX timestamp
 * (digits beyond microseconds are truncated). Equal instants give equal strings, so the result
 * is safe to compare lexically and to use as a key.
 */
export function toMicrosecondTimestamp(value: Date | string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('invalid Date')
    return `${value.toISOString().slice(0, 23)}000Z`
  }
  const { seconds, fraction } = parseOrThrow(value)
  return `${seconds}.${fraction.padEnd(6, '0').slice(0, 6)}Z`
}
