/**
 * A strict RFC 4180 reader for tests (no CSV library is installed): CRLF or LF record ends, quoted fields
 * with doubled quotes and embedded line breaks. Throws on a stray quote, so malformed output fails loudly.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let i = 0
  const endField = () => {
    record.push(field)
    field = ''
  }
  while (i < text.length) {
    const ch = text[i]
    if (ch === '"' && field === '') {
      const close = readQuoted(text, i + 1)
      field = close.value
      i = close.next
      if (i < text.length && !',\r\n'.includes(text[i])) throw new Error(`character after closing quote at ${i}`)
      continue
    }
    if (ch === '"') throw new Error(`stray quote at ${i}`)
    if (ch === ',') {
      endField()
      i++
    } else if (ch === '\r' || ch === '\n') {
      endField()
      records.push(record)
      record = []
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1
    } else {
      field += ch
      i++
    }
  }
  if (field !== '' || record.length > 0) {
    endField()
    records.push(record)
  }
  return records
}

function readQuoted(text: string, start: number): { value: string; next: number } {
  let value = ''
  let i = start
  for (;;) {
    if (i >= text.length) throw new Error('unterminated quoted field')
    if (text[i] === '"') {
      if (text[i + 1] !== '"') return { value, next: i + 1 }
      value += '"'
      i += 2
    } else value += text[i++]
  }
}
