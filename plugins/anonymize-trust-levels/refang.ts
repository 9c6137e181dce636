/**
 * Analysts write indicators "defanged" so that nobody clicks them: `198[.]51[.]100[.]7`, `evil(.)com`,
 * `alice[at]corp[.]com`, `hxxps[://]evil.com`, and tools percent-encode them (`alice%40corp.com`). The text
 * scrubber must find these as surely as the plain spellings, so it looks for tokens in the refanged text.
 */

/** Any marker that refanging would change; a text without one is scanned as it is. */
const MARKER =
  /[[({]\s*(?:\.|dot|@|at|:|:\/\/|\/)\s*[\])}]|h(?:xx|\*\*)ps?|fxp|%(?:2[0-9a-f]|3[a-f]|40|5[bcdf])|\\[[\](){}.@:/]/i

const DOT = /\s?[[({]\s*(?:\.|dot)\s*[\])}]\s?/gi
const AT = /\s?[[({]\s*(?:@|at)\s*[\])}]\s?/gi
const SCHEME_SEP = /[[({]\s*:\s*[\])}]\s*\/\/|[[({]\s*:\/\/\s*[\])}]/g
const COLON = /[[({]\s*:\s*[\])}]/g
const SLASH = /[[({]\s*\/\s*[\])}]/g
const SCHEME = /\bh(?:xx|\*\*)p(s?)\b|\bfxp\b/gi
/** Regular expressions (MATCHES, YARA) escape what defanging adds: `evil\[\.\]com`. */
const ESCAPED = /\\([[\](){}.@:/])/g
/**
 * Percent-escapes of the punctuation tokens are made of (space to `/`, `:` to `?`, `@`, `[`, `\\`, `]`, `_`):
 * not of digits or letters, so a LIKE wildcard before a value (`%60.193.100.156%`) is not read as an escape.
 */
const PERCENT = /%(2[0-9a-f]|3[a-f]|40|5[bcdf])/gi

export function hasDefangMarker(text: string): boolean {
  return MARKER.test(text)
}

/** `decodePercent: false` for text where a `%` is a wildcard (`LIKE '%22[.]254…'`), not an escape. */
export function refang(text: string, decodePercent = true): string {
  const unescaped = text.replace(ESCAPED, '$1')
  return (
    decodePercent
      ? unescaped.replace(PERCENT, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      : unescaped
  )
    .replace(SCHEME_SEP, '://')
    .replace(COLON, ':')
    .replace(SLASH, '/')
    .replace(DOT, '.')
    .replace(AT, '@')
    .replace(SCHEME, (m: string, s: string) => (m.toLowerCase() === 'fxp' ? 'ftp' : `http${s}`))
}
