/**
 * Canary values: distinctive, random per run (from the seed), planted in many spellings, and the policy table
 * that says at which levels each kind must never come out.
 */
import type { AnonymizationLevel } from '../../../core/plugin-api/index.js'

export type Level = Exclude<AnonymizationLevel, 'none'>
export const LEVELS: readonly Level[] = ['low', 'medium', 'high', 'full']

export type CanaryKind = 'ipv4' | 'ipv6' | 'domain' | 'email' | 'url' | 'hash' | 'file' | 'person' | 'sco-id'
export const CANARY_KINDS: readonly CanaryKind[] = [
  'ipv4',
  'ipv6',
  'domain',
  'email',
  'url',
  'hash',
  'file',
  'person',
  'sco-id',
]

/**
 * THE EXPECTATION: kind of value → levels whose output must not contain it, anywhere (docs/anonymization.md,
 * "What each level does"). A policy change is an edit of this table.
 * - Addresses leave at most as networks from `low` (/24, /64): never whole.
 * - E-mail addresses (local part pseudonymized), URLs (path replaced) and people's names (authors, display
 *   names, individuals, contact fields) are personal data: hidden from `low`.
 * - Domains, file and path names are kept at `low` and hidden from `medium`; hashes are hidden from `high`.
 * - `sco-id` is the standard (UUIDv5, value-derived) id of an observable: whoever guesses the value computes
 *   it, so it never leaves below `none`.
 * `full` hides everything: it must send nothing that could not be proven scrubbed.
 */
export const MUST_HIDE: Readonly<Record<CanaryKind, readonly Level[]>> = {
  ipv4: ['low', 'medium', 'high', 'full'],
  ipv6: ['low', 'medium', 'high', 'full'],
  email: ['low', 'medium', 'high', 'full'],
  url: ['low', 'medium', 'high', 'full'],
  person: ['low', 'medium', 'high', 'full'],
  'sco-id': ['low', 'medium', 'high', 'full'],
  domain: ['medium', 'high', 'full'],
  file: ['medium', 'high', 'full'],
  hash: ['high', 'full'],
}

export type Spelling =
  | 'plain'
  | 'upper'
  | 'defang-brackets'
  | 'defang-parens'
  | 'defang-braces'
  | 'defang-words'
  | 'defang-last-dot'
  | 'hxxp'
  | 'hxxps-bracket-scheme'
  | 'hxxp-bracket-colon'
  | 'percent'
  | 'percent-lower'

/** How analysts write each kind in free text. Structured positions only take what their schema accepts. */
export const SPELLINGS: Readonly<Record<CanaryKind, readonly Spelling[]>> = {
  ipv4: [
    'plain',
    'defang-brackets',
    'defang-parens',
    'defang-braces',
    'defang-words',
    'defang-last-dot',
    'percent',
    'percent-lower',
  ],
  ipv6: ['plain', 'upper', 'defang-brackets', 'percent', 'percent-lower'],
  domain: [
    'plain',
    'upper',
    'defang-brackets',
    'defang-parens',
    'defang-braces',
    'defang-words',
    'defang-last-dot',
    'percent',
    'percent-lower',
  ],
  email: [
    'plain',
    'upper',
    'defang-brackets',
    'defang-parens',
    'defang-braces',
    'defang-words',
    'percent',
    'percent-lower',
  ],
  url: ['plain', 'upper', 'hxxp', 'hxxps-bracket-scheme', 'hxxp-bracket-colon', 'percent', 'percent-lower'],
  hash: ['plain', 'upper'],
  file: ['plain', 'upper', 'percent'],
  person: ['plain', 'upper', 'percent'],
  'sco-id': ['plain'],
}

const pct = (chars: string) => (s: string) =>
  s.replace(new RegExp(`[${chars}]`, 'g'), (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
const lowerEscapes = (s: string) => s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())
const lastDot = (s: string) => s.replace(/\.(?=[^.]*$)/, '[.]')

function spellEmail(v: string, at: string, dot: string): string {
  const i = v.lastIndexOf('@')
  return `${v.slice(0, i)}${at}${v.slice(i + 1).replaceAll('.', dot)}`
}

function spellUrl(v: string, scheme: (s: string) => string): string {
  const m = /^([a-z]+):\/\/([^/?#]+)(.*)$/i.exec(v)
  if (!m) return v
  return `${scheme(m[1])}${m[2].replaceAll('.', '[.]')}${m[3]}`
}

/** Writes a canary value in one spelling. */
export function spell(kind: CanaryKind, value: string, spelling: Spelling): string {
  switch (spelling) {
    case 'plain':
      return value
    case 'upper':
      return value.toUpperCase()
    case 'defang-brackets':
      if (kind === 'ipv6') return value.replaceAll(':', '[:]')
      return kind === 'email' ? spellEmail(value, '[at]', '[.]') : value.replaceAll('.', '[.]')
    case 'defang-parens':
      return kind === 'email' ? spellEmail(value, '(at)', '(.)') : value.replaceAll('.', '(.)')
    case 'defang-braces':
      return kind === 'email' ? spellEmail(value, '[@]', '{.}') : value.replaceAll('.', '{.}')
    case 'defang-words':
      return kind === 'email' ? spellEmail(value, '[at]', '[dot]') : value.replaceAll('.', '[dot]')
    case 'defang-last-dot':
      return lastDot(value)
    case 'hxxp-bracket-colon':
      return spellUrl(value, (s) => `${s.replace(/^http/i, 'hxxp')}[:]//`)
    case 'percent-lower':
      return lowerEscapes(spell(kind, value, 'percent'))
    case 'hxxp':
      return spellUrl(value, (s) => `${s.replace(/^http/i, 'hxxp')}://`)
    case 'hxxps-bracket-scheme':
      return spellUrl(value, (s) => `${s.replace(/^http/i, 'hxxp')}[://]`)
    case 'percent':
      if (kind === 'url') return encodeURIComponent(value).replaceAll('.', '%2E')
      if (kind === 'person') return value.replaceAll(' ', '%20')
      // A path may hold no dot: its separators are escaped too, so the spelling always differs from the value.
      return pct(kind === 'ipv6' ? ':' : kind === 'file' ? './\\\\' : '.@')(value)
  }
}

function percentDecode(s: string): string {
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
}

function refang(text: string): string {
  return text
    .toLowerCase()
    .replaceAll('\\', '')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/g, '.')
    .replace(/\[at\]|\(at\)|\[@\]|\{at\}/g, '@')
    .replace(/\[:\/\/\]/g, '://')
    .replace(/\[:\]/g, ':')
    .replace(/\[\/\]/g, '/')
    .replace(/hxxp/g, 'http')
}

/**
 * The normal form canaries are compared in: percent-decoded (twice, for double encoding), lower-cased,
 * refanged, backslashes dropped (JSON, regular expressions and STIX pattern literals escape with them).
 */
export function normalize(text: string): string {
  return refang(percentDecode(percentDecode(text)))
}

/**
 * An output as searched: its normal form, the same without percent-decoding (a `%` that is not an escape, like
 * LIKE's wildcard before `2C47:…`, must not hide what follows), and the normal form once more with a LIKE
 * wildcard that opens a pattern literal dropped (before a percent-encoded value, `'%26cd%3Ad637…`, the wildcard
 * and the value's first two hex digits read as one escape, `&`, so neither other form holds the value: seed
 * 1588614449). A canary leaks when its normal form is a substring of any of them.
 */
export function searchable(text: string): string {
  return `${normalize(text)}\u0000${refang(text)}\u0000${normalize(text.replaceAll("'%", "'"))}`
}

/** One canary as planted: its value, the spelling used, where it went. */
export interface Planted {
  kind: CanaryKind
  value: string
  needle: string
  spelling: Spelling
  /** Where in the input: `<type>.<property path>`, `{key}` for a dictionary key. */
  position: string
  /** Set on the parts of a compound canary (the domain of an e-mail, the host of a URL). */
  partOf?: CanaryKind
  /** The needle of that whole. */
  whole?: string
}

/** Canaries whose kind must be hidden at `level`. */
export function mustHide(planted: readonly Planted[], level: Level): Planted[] {
  return planted.filter((c) => MUST_HIDE[c.kind].includes(level))
}
