/** An NDJSON line that is not JSON: refused as that one item, like any other bad event. */
export class NdjsonLineError {
  constructor(readonly reason: string) {}
}

/** Splits an NDJSON body into items (blank lines skipped); a line that does not parse becomes a {@link NdjsonLineError}. */
export function parseNdjson(body: string): unknown[] {
  const items: unknown[] = []
  const lines = body.split(/\r?\n/)
  lines.forEach((line, i) => {
    if (!line.trim()) return
    try {
      items.push(JSON.parse(line))
    } catch {
      items.push(new NdjsonLineError(`line ${i + 1}: not a JSON value`))
    }
  })
  return items
}
