/**
 * One CSV cell, RFC 4180 quoted and safe to open in a spreadsheet: a cell a spreadsheet would evaluate as a
 * formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, the OWASP advice
 * for CSV injection. Threat data is attacker-controlled, so this is not optional.
 */
const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

export function csvCell(raw: string): string {
  const safe = FORMULA_START.test(raw) ? `'${raw}` : raw
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** A record: cells joined by commas, ended by CRLF as RFC 4180 says. */
export function csvRecord(cells: readonly string[]): string {
  return cells.map(csvCell).join(',') + '\r\n'
}
