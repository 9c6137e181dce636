import { anonymizeDomain } from './domain.js'
import { anonymizeEmail } from './email.js'
import { anonymizeHash } from './hash.js'
import { anonymizeIp, looksLikeIp } from './ip.js'
import { anonymizeFileName, anonymizePath } from './names.js'
import { mapId } from './refs.js'
import type { AnonymizeEnv } from './policy.js'
import { hasDefangMarker, refang } from './refang.js'
import { anonymizeUrl } from './url.js'

/**
 * Free text (descriptions, names, notes, custom strings, dictionary keys): every URL, email, IP, hash, file
 * path, file name with an underscore (`invoice_2024.exe`; other names are domain-shaped) and domain found in it is replaced by its anonymized form at the level's rules (at low an IP keeps its /24 and a
 * domain stays), so a value hidden in an SCO does not leak through prose. Defanged and percent-encoded
 * spellings are found too (see refang.ts).
 * One regex with ordered alternatives: at a given position a URL wins over the domain inside it, and so on.
 * Over-matching is accepted (`Node.js` looks like a domain): a false positive only costs readability.
 */
const ALTERNATIVES = [
  String.raw`(\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'()\[\]{}]+)`,
  String.raw`(\b[a-z0-9._%+-]+@(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,63}(?![\p{L}\p{N}]))`,
  String.raw`(\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![\d.]*\d))`,
  String.raw`(\b(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b)`,
  String.raw`((?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})(?:\/\d{1,3})?)`,
  String.raw`((?:\b[a-z]:|\\)\\[^\s"'<>|*?]+|(?<![\w/.:~-])\/(?:[\w.~-]+\/)+[\w.~-]*)`,
  String.raw`(\b[\w-]*_[\w.-]*\.[a-z0-9]{1,8}\b|\b(?=[\w-]*[a-z])[\w-]+\.(?:[a-z]+\d[a-z0-9]*|\d[a-z][a-z0-9]*)\b)`,
  String.raw`(\b[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)`,
  String.raw`(?:(?<![\p{L}\p{N}_-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}(?![\p{L}\p{N}]))`,
]
/**
 * Two compilations: ASCII letters for ASCII text (the common case, and much faster), Unicode letters for text
 * with other characters, so internationalized domains (`bücher.example`) are domains too.
 */
const ascii = (a: string) => a.replaceAll(String.raw`\p{L}`, 'a-z').replaceAll(String.raw`\p{N}`, '0-9')
const compile = (alternatives: readonly string[], unicode: boolean) =>
  new RegExp((unicode ? alternatives : alternatives.map(ascii)).join('|'), unicode ? 'giu' : 'gi')
/** Without paths and file names (their groups never match): the inside of a path or file name kept at low. */
const IN_NAME = ALTERNATIVES.map((a, i) => (i === 5 || i === 6 ? '((?!))' : a))
const TOKEN = { ascii: compile(ALTERNATIVES, false), unicode: compile(ALTERNATIVES, true) }
const TOKEN_IN_NAME = { ascii: compile(IN_NAME, false), unicode: compile(IN_NAME, true) }
const NON_ASCII = /[^\u0000-\u007f]/

/** Group numbers of TOKEN's alternatives, in order: url, email, ipv4, hash, ipv6, path, file name, STIX id, (domain). */
const G_URL = 1
const G_EMAIL = 2
const G_IPV4 = 3
const G_HASH = 4
const G_IPV6 = 5
const G_PATH = 6
const G_FILE = 7
const G_ID = 8

function replaceToken(match: string, groups: RegExpExecArray, env: AnonymizeEnv): string {
  if (groups[G_URL] !== undefined) return anonymizeUrl(match.replace(/[.,;:!?]+$/, ''), env) + trailing(match)
  if (groups[G_EMAIL] !== undefined) return anonymizeEmail(match, env)
  if (groups[G_IPV4] !== undefined) return looksLikeIp(match) ? anonymizeIp(match, env).value : match
  if (groups[G_HASH] !== undefined) return anonymizeHash('', match, env)
  if (groups[G_IPV6] !== undefined) {
    return looksLikeIp(match) && /[0-9a-f]{2}/i.test(match) ? anonymizeIp(match, env).value : match
  }
  if (groups[G_PATH] !== undefined) return anonymizePath(match, env)
  if (groups[G_FILE] !== undefined) return anonymizeFileName(match, env)
  // An SCO's standard id is computed from its value: written in text it says as much as the value.
  if (groups[G_ID] !== undefined) return mapId(match.toLowerCase(), env)
  return anonymizeDomain(match, env)
}

/** Sentence punctuation glued to a URL is not part of it. */
function trailing(match: string): string {
  return /[.,;:!?]+$/.exec(match)?.[0] ?? ''
}

/**
 * Every token holds one of `.:@/` or a backslash, `--` (a STIX id) or a run of 32 hex digits, and every defang marker one of
 * `%[({`: a text with none of them (vocabulary, most names) is returned without running the token regex.
 */
const MAY_HOLD_TOKEN = /[.:@%[({/\\]|--|[0-9a-f]{32}/i

export function scrubText(text: string, env: AnonymizeEnv): string {
  if (!MAY_HOLD_TOKEN.test(text)) return text
  if (!hasDefangMarker(text)) return replaceTokens(text, env)
  // Tokens are looked for in the refanged text; when there is none the text goes out as written.
  // A `%` may be an escape or a LIKE wildcard right before a value (`%60.193.100.156%`, `%22[.]254…`): each
  // reading is tried in turn, and the first that finds a token is sent.
  for (const refanged of [refang(text), refang(text, false)]) {
    const scrubbed = replaceTokens(refanged, env)
    if (scrubbed !== refanged) return scrubbed
  }
  return replaceTokens(text, env)
}

/** A path or file name kept as it is (at low): the addresses, mailboxes and URLs inside it are still replaced. */
export function scrubInsideName(name: string, env: AnonymizeEnv): string {
  if (!MAY_HOLD_TOKEN.test(name)) return name
  const refanged = hasDefangMarker(name) ? refang(name) : name
  const scrubbed = replaceTokens(refanged, env, TOKEN_IN_NAME)
  return scrubbed === refanged ? name : scrubbed
}

function replaceTokens(text: string, env: AnonymizeEnv, tokens: { ascii: RegExp; unicode: RegExp } = TOKEN): string {
  const token = NON_ASCII.test(text) ? tokens.unicode : tokens.ascii
  // What `text.replace(token, fn)` does (it never matches the empty string), without an arguments array
  // and a groups object per match; text with no token is returned as is.
  token.lastIndex = 0
  let m = token.exec(text)
  if (m === null) return text
  let out = ''
  let last = 0
  do {
    const next = token.lastIndex
    out += text.slice(last, m.index) + replaceToken(m[0], m, env)
    // The regex is shared: whatever the replacement did with it, carry on after this match.
    token.lastIndex = next
    last = m.index + m[0].length
  } while ((m = token.exec(text)) !== null)
  return out + text.slice(last)
}
