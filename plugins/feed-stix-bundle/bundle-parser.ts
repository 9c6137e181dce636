import {
  SourceDataError,
  type FeedItem,
  type FeedObject,
  type FeedRejection,
  type StixObject,
} from '../../core/plugin-api/index.js'

/** Turns one parsed entry of `objects` into a feed item: the object, or a rejection naming its position. */
export function bundleEntryToItem(value: unknown, index: number): FeedObject | FeedRejection {
  const ref = `objects[${index}]`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      kind: 'rejected',
      reason: `${ref} is not a JSON object (${Array.isArray(value) ? 'array' : typeof value})`,
      ref,
    }
  }
  const obj = value as Record<string, unknown>
  if (typeof obj.type !== 'string' || typeof obj.id !== 'string') {
    return { kind: 'rejected', reason: `${ref} has no string "type" and "id"`, ref }
  }
  return { kind: 'object', object: obj as StixObject }
}

/** Bytes (or, for string chunks, characters) scanned between two turns of the event loop. */
const SLICE = 16 * 1024

/** A JSON syntax error found by the scanner (the caller turns it into a SourceDataError). */
export class BundleSyntaxError extends Error {
  constructor(
    message: string,
    /** True when the input ended before the document was complete. */
    readonly truncated = false,
  ) {
    super(message)
  }
}

// Character codes.
const QUOTE = 34
const BACKSLASH = 92
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const COMMA = 44
const COLON = 58
const SPACE = 32
const TAB = 9
const LF = 10
const CR = 13

const isWhitespace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB

/** Where the scanner is in the document, outside any value it is cutting out. */
const enum At {
  /** Before the document's opening `{`. */
  Start,
  /** After the document's `{`: a key or `}`. */
  KeyOrEnd,
  /** After a `,` between the document's members: a key. */
  Key,
  /** After a top-level key: `:`. */
  Colon,
  /** After a top-level `:`: the value. */
  Value,
  /** After a top-level value: `,` or `}`. */
  CommaOrEnd,
  /** After the `objects` container's opening bracket: an entry or the closing bracket. */
  EntryOrClose,
  /** After a `,` in `objects`: an entry. */
  Entry,
  /** After a member key when `objects` is an object: `:`. */
  EntryColon,
  /** After that `:`: the entry. */
  EntryValue,
  /** After an entry: `,` or the closing bracket. */
  EntryCommaOrClose,
  /** After the document's closing `}`: only whitespace. */
  Done,
}

/** What a value being cut out is, and so what happens to its text once complete. */
const enum Cut {
  None,
  TopKey,
  TopValue,
  EntryKey,
  Entry,
}

function describe(c: string): string {
  return JSON.stringify(c)
}

/**
 * A bounded-memory scanner for a STIX bundle: fed decoded text piece by piece, it tracks the JSON structure of
 * the document (`{…}` at the top, its members, the entries of `objects`) and cuts out the complete text of
 * each value it meets — a top-level key or value, one entry of `objects`. Only the text of the value being cut
 * is held, so memory is bounded by the largest single entry, not by the bundle.
 *
 * The text around the cut values is checked here (whitespace, `{`, `:`, `,`, brackets, nothing after the end),
 * top-level keys and values by `JSON.parse`. Entries of `objects` are handed to `onEntry` in order as their
 * text, balanced but not parsed: checking them is the caller's. `objects` may also be a JSON object (its member
 * values are the entries), as with the generic parser this replaced; any other `objects` value, and repeated
 * keys, are accepted as `JSON.parse` would (a repeated `objects` yields the entries of each).
 */
export class BundleScanner {
  /** The last top-level `"type"` value seen (undefined if none). */
  documentType: unknown = undefined
  private at = At.Start
  /** Characters before the current piece (for error positions). */
  private offset = 0
  private entries = 0
  private key = ''
  /** The `objects` container being read: `]` or `}`. */
  private closer = 0
  // The value being cut out: its kind, its text from earlier pieces, and the scan state across pieces.
  private cut = Cut.None
  private pending = ''
  private scalar = false
  private depth = 0
  private inString = false
  private escaped = false
  private startPending = false

  constructor(
    /** `text` is the entry's exact text, from its first to its last character; it may throw BundleSyntaxError. */
    private readonly onEntry: (text: string, index: number) => void,
  ) {}

  /** Scans the next piece of text. Throws BundleSyntaxError on invalid JSON. */
  write(text: string): void {
    const n = text.length
    let i = 0
    while (i < n) {
      if (this.cut !== Cut.None) {
        const start = i
        const end = this.scan(text, i)
        if (end < 0) {
          this.pending += start === 0 ? text : text.slice(start)
          break
        }
        const piece = text.slice(start, end)
        const whole = this.pending === '' ? piece : this.pending + piece
        this.pending = ''
        this.complete(whole)
        i = end
        continue
      }
      const c = text.charCodeAt(i)
      if (isWhitespace(c)) {
        i++
        continue
      }
      switch (this.at) {
        case At.Start:
          if (c !== OPEN_BRACE) throw this.unexpected(text, i, 'the document to be a JSON object ("{")')
          this.at = At.KeyOrEnd
          break
        case At.KeyOrEnd:
        case At.Key:
          if (c === CLOSE_BRACE && this.at === At.KeyOrEnd) this.at = At.Done
          else if (c === QUOTE) {
            this.begin(Cut.TopKey)
            continue
          } else throw this.unexpected(text, i, this.at === At.KeyOrEnd ? 'a key or "}"' : 'a key')
          break
        case At.Colon:
          if (c !== COLON) throw this.unexpected(text, i, `":" after key ${JSON.stringify(this.key)}`)
          this.at = At.Value
          break
        case At.Value:
          if (this.key === 'objects' && (c === OPEN_BRACKET || c === OPEN_BRACE)) {
            this.closer = c === OPEN_BRACKET ? CLOSE_BRACKET : CLOSE_BRACE
            this.at = At.EntryOrClose
          } else {
            this.begin(Cut.TopValue)
            continue
          }
          break
        case At.CommaOrEnd:
          if (c === COMMA) this.at = At.Key
          else if (c === CLOSE_BRACE) this.at = At.Done
          else throw this.unexpected(text, i, `"," or "}" after the value of ${JSON.stringify(this.key)}`)
          break
        case At.EntryOrClose:
        case At.Entry:
          if (c === this.closer && this.at === At.EntryOrClose) this.at = At.CommaOrEnd
          else if (this.closer === CLOSE_BRACE) {
            if (c !== QUOTE) throw this.unexpected(text, i, `a key in "objects"`)
            this.begin(Cut.EntryKey)
            continue
          } else {
            this.begin(Cut.Entry)
            continue
          }
          break
        case At.EntryColon:
          if (c !== COLON) throw this.unexpected(text, i, `":" in "objects"`)
          this.at = At.EntryValue
          break
        case At.EntryValue:
          this.begin(Cut.Entry)
          continue
        case At.EntryCommaOrClose:
          if (c === COMMA) this.at = At.Entry
          else if (c === this.closer) this.at = At.CommaOrEnd
          else {
            const close = this.closer === CLOSE_BRACKET ? ']' : '}'
            throw this.unexpected(text, i, `"," or "${close}" after objects[${this.entries - 1}]`)
          }
          break
        case At.Done:
          throw this.unexpected(text, i, 'nothing after the end of the document')
      }
      i++
    }
    this.offset += n
  }

  /** Called when the input has ended. Throws BundleSyntaxError (truncated) unless the document was complete. */
  end(): void {
    if (this.at !== At.Done) {
      const where = this.cut === Cut.Entry ? `inside objects[${this.entries}]` : `after ${this.offset} characters`
      throw new BundleSyntaxError(`the JSON ends before the document is complete (${where})`, true)
    }
  }

  /** Starts cutting a value whose first character is `c` (the character is part of the value). */
  private begin(cut: Cut): void {
    this.cut = cut
    this.pending = ''
    this.scalar = false
    this.depth = 0
    this.inString = false
    this.escaped = false
    // The first character is scanned by `scan` (write() does not advance past it).
    this.startPending = true
  }

  /**
   * Scans a value from `i` (its first character, or where the previous piece stopped). Returns the index just
   * after its last character, or -1 when the value continues past the end of `text`.
   */
  private scan(text: string, i: number): number {
    const n = text.length
    if (this.startPending) {
      this.startPending = false
      const c = text.charCodeAt(i)
      if (c === QUOTE) this.inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth = 1
      else this.scalar = true
      i++
    }
    if (this.scalar) {
      // A number, true, false or null (or garbage, which JSON.parse will refuse): up to the next delimiter.
      for (; i < n; i++) {
        const c = text.charCodeAt(i)
        if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isWhitespace(c)) return i
      }
      return -1
    }
    let depth = this.depth
    let inString = this.inString
    if (this.escaped) {
      // The previous piece ended with the backslash of an escape: skip the escaped character.
      if (i >= n) return -1
      this.escaped = false
      i++
    }
    while (i < n) {
      if (inString) {
        // Jump to the next quote: it ends the string unless an odd run of backslashes precedes it. (From `i`
        // on, no character is escaped by one before `i`: `i` follows the opening quote, an escaped quote, or
        // the character escaped by a backslash that ended the previous piece.)
        const q = text.indexOf('"', i)
        if (q < 0) {
          let k = n
          while (k > i && text.charCodeAt(k - 1) === BACKSLASH) k--
          this.escaped = (n - k) % 2 === 1
          this.depth = depth
          this.inString = true
          return -1
        }
        let k = q
        while (k > i && text.charCodeAt(k - 1) === BACKSLASH) k--
        i = q + 1
        if ((q - k) % 2 === 1) continue
        inString = false
        if (depth === 0) return i
        continue
      }
      const c = text.charCodeAt(i++)
      if (c === QUOTE) inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i
      }
    }
    this.depth = depth
    this.inString = inString
    return -1
  }

  /** A cut value is complete: parse it and act on it. */
  private complete(text: string): void {
    const cut = this.cut
    this.cut = Cut.None
    if (cut === Cut.Entry) {
      this.onEntry(text, this.entries++)
      this.at = At.EntryCommaOrClose
      return
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      const what = cut === Cut.TopValue ? `the value of ${JSON.stringify(this.key)}` : 'a key'
      throw new BundleSyntaxError(`invalid JSON in ${what} (${(err as Error).message})`)
    }
    switch (cut) {
      case Cut.TopKey:
        this.key = value as string
        this.at = At.Colon
        break
      case Cut.TopValue:
        if (this.key === 'type') this.documentType = value
        this.at = At.CommaOrEnd
        break
      case Cut.EntryKey:
        this.at = At.EntryColon
        break
    }
  }

  private unexpected(text: string, i: number, expected: string): BundleSyntaxError {
    return new BundleSyntaxError(
      `invalid JSON (expected ${expected}, found ${describe(text[i])} at character ${this.offset + i})`,
    )
  }
}

/** Parses one entry's text; throws BundleSyntaxError naming the entry when it is not JSON. */
function parseEntry(text: string, index: number): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new BundleSyntaxError(`invalid JSON in objects[${index}] (${(err as Error).message})`)
  }
}

/**
 * Streams the objects of a STIX bundle through a {@link BundleScanner}: each `objects[i]` is cut out of the
 * text on its own, one at a time, so memory stays bounded by the largest single object, not by the bundle.
 * An entry that is a JSON object is yielded as its text (`FeedObjectText`): the core parses it only when it
 * does not already store that text byte for byte; its parse throws SourceDataError for invalid JSON, as the
 * stream does. Any other entry is parsed here and rejected. Bytes are decoded as UTF-8 by a streaming decoder
 * (a character split across chunks is fine; invalid UTF-8 is an error). Invalid JSON or a document that ends
 * early throws SourceDataError.
 */
export async function* parseBundleStream(
  chunks: AsyncIterable<Uint8Array | string>,
  signal: AbortSignal,
  source: string,
): AsyncGenerator<FeedItem> {
  const invalid = (what: string) => new SourceDataError(`${source} is not a valid STIX bundle: ${what}`)
  const syntaxErrors = <T>(step: () => T): T => {
    try {
      return step()
    } catch (err) {
      if (err instanceof BundleSyntaxError) throw invalid(err.message)
      throw err
    }
  }
  const ready: FeedItem[] = []
  const scanner = new BundleScanner((text, index) =>
    ready.push(
      text.charCodeAt(0) === OPEN_BRACE
        ? {
            kind: 'object-text',
            text,
            parse: () => syntaxErrors(() => bundleEntryToItem(parseEntry(text, index), index)),
          }
        : bundleEntryToItem(parseEntry(text, index), index),
    ),
  )
  const decoder = new TextDecoder('utf-8', { fatal: true })
  /** Scans or ends the document; an error after entries not yet yielded is reported after theirs, in order. */
  const scan = (step: () => void) =>
    syntaxErrors(() => {
      try {
        step()
      } catch (err) {
        for (const item of ready) if (item.kind === 'object-text') item.parse()
        throw err
      }
    })
  const write = (text: string) => scan(() => scanner.write(text))
  const decode = (bytes: Uint8Array, stream: boolean) => {
    try {
      return decoder.decode(bytes, { stream })
    } catch (err) {
      throw invalid(`invalid JSON (${(err as Error).message})`)
    }
  }

  for await (const chunk of chunks) {
    // Slices of 16 KiB: a large chunk is not scanned in one go, so the consumer sees objects sooner and
    // I/O callbacks (its database round trips) are not held up behind a long synchronous scan.
    for (let at = 0; at < chunk.length; at += SLICE) {
      if (typeof chunk === 'string') write(chunk.length <= SLICE ? chunk : chunk.slice(at, at + SLICE))
      else write(decode(chunk.length <= SLICE ? chunk : chunk.subarray(at, at + SLICE), true))
      for (const item of ready.splice(0)) {
        signal.throwIfAborted()
        yield item
      }
      if (at + SLICE < chunk.length) await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  write(decode(new Uint8Array(0), false))
  scan(() => scanner.end())
  const documentType = scanner.documentType
  if (documentType !== 'bundle') throw invalid(`top-level "type" is ${JSON.stringify(documentType)}, not "bundle"`)
}

/**
 * The number of entries of a bundle's `objects` (each becomes one feed item), counted without parsing them;
 * null when the text is not a complete JSON document (the parse that follows reports why).
 */
export async function countBundleEntries(chunks: AsyncIterable<Uint8Array>): Promise<number | null> {
  let count = 0
  const scanner = new BundleScanner(() => count++)
  const decoder = new TextDecoder('utf-8')
  try {
    for await (const chunk of chunks) {
      for (let at = 0; at < chunk.length; at += SLICE) {
        scanner.write(decoder.decode(chunk.subarray(at, at + SLICE), { stream: true }))
        // a turn of the event loop between slices, as the parse does
        if (at + SLICE < chunk.length) await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
    scanner.write(decoder.decode())
    scanner.end()
  } catch (err) {
    if (err instanceof BundleSyntaxError) return null
    throw err
  }
  return count
}
