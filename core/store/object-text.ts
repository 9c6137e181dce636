import { hasUnstorableCharacter } from '../stix/input-limits.js'
import { TLP_MARKING_IDS, tlpFromMarkings, type Tlp } from '../stix/tlp.js'

/** What an {@link ObjectText} stands for: the object, or why the caller's source rejects it. */
export type ParsedText = { ok: true; object: unknown } | { ok: false; message: string; ref?: string }

/**
 * An object handed to the store as the exact JSON text a source cut out of what a remote sent (a feed's bundle
 * entry). The store hashes the text it would keep, derived from this one, and parses it only when that is not
 * a stored version: on a re-fetch of unchanged data, most entries are never parsed.
 */
export class ObjectText {
  constructor(
    readonly text: string,
    /** Called at most once, and only when the text is not found stored; may throw to fail the store call. */
    readonly parse: () => ParsedText,
  ) {}
}

/** A text the store would keep for an {@link ObjectText}, derived without parsing it (see {@link derivedStoredText}). */
export interface DerivedText {
  /** The id read from the text: only a look-up key, which a hit proves (a stored row has that id). */
  id: string
  text: string
  /** The default TLP marking was appended to the source text. */
  appended: boolean
}

/** What the store knows of a stored version found by its content hash (see {@link derivationHolds}). */
export interface StoredRow {
  type: string
  /** The stored document's `object_marking_refs` (null when it has none). */
  markings: unknown
}

const OPEN_BRACE = 0x7b
const QUOTE = 0x22
const CLOSE_BRACE = 0x7d
const BACKSLASH = 0x5c
const ID_KEY = '"id":"'

/** The value of the first `"id":"…"` in the text, if it has no escape; a guess that only a hit confirms. */
function idInText(text: string): string | undefined {
  const start = text.indexOf(ID_KEY)
  if (start < 0) return undefined
  const from = start + ID_KEY.length
  const end = text.indexOf('"', from)
  if (end <= from) return undefined
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === BACKSLASH) return undefined
  return text.slice(from, end)
}

/**
 * The text `storedForm` would store for the object `source` is the JSON text of, derived without parsing it,
 * as a look-up key; undefined when it cannot be derived so (the object is then parsed and takes the full path).
 *
 * Why a hit is the full path's answer: a stored version's text is `JSON.stringify` output, which has no
 * insignificant whitespace, escapes only what it must, and never repeats a key. So when the derived text's
 * hash is a stored content hash, that stored text is the derived text, and:
 * - as given (no default TLP, or the source names markings): `source` is `JSON.stringify` of its object, which
 *   `storedForm` keeps as it is provided it would add nothing — checked on the row by {@link derivationHolds};
 * - with the default TLP marking appended (the source names no `object_marking_refs`): the object had no
 *   markings (the stored text would repeat the key otherwise), so `storedForm` appends this very member last,
 *   unless the object is a marking definition (checked on the row).
 * With a creator to add (`creatorRef`), pretty-printed text, or a raw lone surrogate (whose UTF-8 bytes, what
 * is hashed, could equal a stored text's), nothing is derived.
 */
export function derivedStoredText(source: string, defaultTlp?: Tlp, creatorRef?: string): DerivedText | undefined {
  if (creatorRef !== undefined) return undefined
  const compact =
    source.charCodeAt(0) === OPEN_BRACE &&
    source.charCodeAt(1) === QUOTE &&
    source.charCodeAt(source.length - 1) === CLOSE_BRACE
  if (!compact || hasUnstorableCharacter(source)) return undefined
  const id = idInText(source)
  if (id === undefined) return undefined
  if (defaultTlp === undefined || source.includes('"object_marking_refs"')) return { id, text: source, appended: false }
  const text = `${source.slice(0, -1)},"object_marking_refs":${JSON.stringify([TLP_MARKING_IDS[defaultTlp]])}}`
  return { id, text, appended: true }
}

/**
 * Whether the stored version found by a {@link derivedStoredText} is the one `storedForm` would store: without
 * a default TLP always; with one, the marking is appended to anything but a marking definition, and a text
 * kept as given must already carry a TLP marking (or be a marking definition, which never gets one).
 */
export function derivationHolds(derived: DerivedText, row: StoredRow, defaultTlp?: Tlp): boolean {
  if (defaultTlp === undefined) return true
  const definition = row.type === 'marking-definition'
  return derived.appended ? !definition : definition || tlpFromMarkings(row.markings) !== null
}
