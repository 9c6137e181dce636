import { SourceDataError, type FeedItem } from '../../core/plugin-api/index.js'
import type { CsvConfig } from './config.js'
import { groupCsvLines, splitCsvRecord } from './csv-record.js'
import { readLines } from './lines.js'

/** One value read from the list, with where it came from. */
export interface ListEntry {
  line: number
  raw: string
  /** The dateColumn cell, when configured. */
  date?: string
  /** The record by header name, for name templates. */
  row?: Record<string, string>
}

type Rejected = Extract<FeedItem, { kind: 'rejected' }>

const rejected = (line: number, reason: string): Rejected => ({
  kind: 'rejected',
  reason: `line ${line}: ${reason}`,
  ref: `line ${line}`,
})

/** One value per line; `#` comments and blank lines skipped. */
async function* plainEntries(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ListEntry> {
  for await (const { number, text } of readLines(chunks)) {
    const raw = text.trim()
    if (raw === '' || raw.startsWith('#')) continue
    yield { line: number, raw }
  }
}

function resolveColumn(ref: number | string, header: string[] | null, what: string): number {
  if (typeof ref === 'number') return ref
  const index = header?.indexOf(ref) ?? -1
  if (index === -1) {
    const known = header ? `the header has ${header.join(', ')}` : 'no header line was found'
    throw new SourceDataError(`${what} "${ref}" not found: ${known}`)
  }
  return index
}

/** Values of `column` in a CSV file (RFC 4180), with the header taken from the file when needed. */
async function* csvEntries(chunks: AsyncIterable<Uint8Array>, config: CsvConfig): AsyncGenerator<ListEntry | Rejected> {
  const column = config.column as number | string
  let header: string[] | null = null
  let lastComment: string | null = null
  let columns: { value: number; date?: number } | null = null
  for await (const entry of groupCsvLines(readLines(chunks))) {
    if (entry.kind === 'comment') {
      lastComment = entry.text
      continue
    }
    const fields = splitCsvRecord(entry.text, config.delimiter)
    if (fields === null) {
      yield rejected(entry.line, 'malformed CSV quoting')
      continue
    }
    if (columns === null) {
      if (config.hasHeader) header = fields
      else if (lastComment !== null) header = splitCsvRecord(lastComment, config.delimiter)
      columns = {
        value: resolveColumn(column, header, 'column'),
        date: config.dateColumn === undefined ? undefined : resolveColumn(config.dateColumn, header, 'dateColumn'),
      }
      if (config.hasHeader) continue
    }
    const raw = fields[columns.value]
    if (raw === undefined) {
      yield rejected(entry.line, `no column ${columns.value} (the record has ${fields.length} fields)`)
      continue
    }
    const row = header ? Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ''])) : undefined
    yield { line: entry.line, raw, date: columns.date === undefined ? undefined : fields[columns.date], row }
  }
}

/** The list's values, or rejections for records that have none. */
export function readEntries(
  chunks: AsyncIterable<Uint8Array>,
  config: CsvConfig,
): AsyncGenerator<ListEntry | Rejected> {
  return config.column === undefined ? plainEntries(chunks) : csvEntries(chunks, config)
}
