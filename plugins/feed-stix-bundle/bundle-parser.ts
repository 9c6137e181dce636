import { JSONParser } from '@streamparser/json'
import { SourceDataError, type FeedItem, type StixObject } from '../../core/plugin-api/index.js'

/** Turns one entry of `objects` into a feed item: the object, or a rejection naming its position. */
export function bundleEntryToItem(value: unknown, index: number): FeedItem {
  const ref = `objects[${index}]`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'rejected', reason: `${ref} is not a JSON object (${Array.isArray(value) ? 'array' : typeof value})`, ref }
  }
  const obj = value as Record<string, unknown>
  if (typeof obj.type !== 'string' || typeof obj.id !== 'string') {
    return { kind: 'rejected', reason: `${ref} has no string "type" and "id"`, ref }
  }
  return { kind: 'object', object: obj as StixObject }
}

/** Bytes parsed between two turns of the event loop. */
const SLICE = 16 * 1024

/**
 * Streams the objects of a STIX bundle: only `objects[*]` entries are materialised, one at a time
 * (`keepStack: false` drops each one from the parser once emitted), so memory stays bounded by the largest
 * single object, not by the bundle. Invalid JSON or a document that ends early throws SourceDataError.
 */
export async function* parseBundleStream(
  chunks: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  source: string,
): AsyncGenerator<FeedItem> {
  const parser = new JSONParser({ paths: ['$.objects.*', '$.type'], keepStack: false })
  const ready: FeedItem[] = []
  let parseError: Error | undefined
  let documentType: unknown
  let index = 0
  parser.onValue = ({ value, key, stack }) => {
    if (key === 'type' && stack.length === 1) documentType = value
    else ready.push(bundleEntryToItem(value, index++))
  }
  parser.onError = (err) => {
    parseError ??= err
  }
  const invalid = (what: string) => new SourceDataError(`${source} is not a valid STIX bundle: ${what}`)

  for await (const chunk of chunks) {
    // Slices of 16 KiB: a large chunk is not parsed in one go, so the consumer sees objects sooner and
    // I/O callbacks (its database round trips) are not held up behind a long synchronous parse.
    for (let at = 0; at < chunk.length; at += SLICE) {
      if (!parser.isEnded) parser.write(chunk.length <= SLICE ? chunk : chunk.subarray(at, at + SLICE))
      if (parseError) throw invalid(`invalid JSON (${parseError.message})`)
      for (const item of ready.splice(0)) {
        signal.throwIfAborted()
        yield item
      }
      if (at + SLICE < chunk.length) await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  if (!parser.isEnded) parser.end()
  if (parseError) throw invalid(`the JSON ends before the document is complete (${parseError.message})`)
  if (documentType !== 'bundle') throw invalid(`top-level "type" is ${JSON.stringify(documentType)}, not "bundle"`)
}
