import type { NumberedLine } from './lines.js'

/** True while `text` has an unterminated quoted field: the record continues on the next line. */
function endsInsideQuotes(text: string): boolean {
  let inside = false
  for (const ch of text) if (ch === '"') inside = !inside
  return inside
}

/** Splits one complete record into fields: `"a ""b"""` → `a "b"`. Null when a quote is misplaced. */
export function splitCsvRecord(text: string, delimiter: string): string[] | null {
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) return null
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += text[i++]
      }
      if (i < text.length && text[i] !== delimiter) return null
    } else {
      const end = text.indexOf(delimiter, i)
      field = text.slice(i, end === -1 ? text.length : end)
      if (field.includes('"')) return null
      i = end === -1 ? text.length : end
    }
    fields.push(field.trim())
    if (i >= text.length) return fields
    i++ // the delimiter
  }
}

export type CsvLine = { kind: 'comment'; line: number; text: string } | { kind: 'record'; line: number; text: string }

/**
 * Groups lines into records: blank lines dropped, `#` lines reported as comments (abuse.ch puts the header
 * in one), quoted fields may span lines.
 */
export async function* groupCsvLines(lines: AsyncIterable<NumberedLine>): AsyncGenerator<CsvLine> {
  let pending: { line: number; text: string } | null = null
  for await (const { number, text } of lines) {
    if (pending !== null) {
      pending.text += `\n${text}`
      if (!endsInsideQuotes(pending.text)) {
        yield { kind: 'record', ...pending }
        pending = null
      }
      continue
    }
    const trimmed = text.trim()
    if (trimmed === '') continue
    if (trimmed.startsWith('#')) {
      yield { kind: 'comment', line: number, text: trimmed.replace(/^#+\s*/, '') }
      continue
    }
    if (endsInsideQuotes(text)) pending = { line: number, text }
    else yield { kind: 'record', line: number, text }
  }
  if (pending !== null) yield { kind: 'record', ...pending }
}
