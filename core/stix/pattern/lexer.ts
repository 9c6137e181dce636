import { PatternSyntaxError } from './errors.js'

/**
 * Tokenizer mirroring the lexer rules of STIXPattern.g4. ANTLR picks the longest match, so
 * `ANDROID` is an identifier, `AND` a keyword and `ipv4-addr` one identifier (hyphens allowed).
 */

interface TokenBase {
  /** Keyword/punctuator spelling, identifier name, or decoded literal text. */
  text: string
  /** Offsets of the token's first character and just past its last one. */
  start: number
  end: number
}

/** Identifiers containing '-' may only be object types, never property names. */
interface IdentToken extends TokenBase {
  type: 'ident'
  hyphen: boolean
}

/** Int and float literals carry their numeric value. */
interface NumberToken extends TokenBase {
  type: 'int' | 'float'
  num: number
}

interface TextToken extends TokenBase {
  type: 'keyword' | 'bool' | 'string' | 'hex' | 'binary' | 'timestamp' | 'punct' | 'eof'
}

export type Token = IdentToken | NumberToken | TextToken

export const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
])

const INT = /[+-]?(?:0|[1-9][0-9]*)/y
const FLOAT = /[+-]?[0-9]*\.[0-9]+/y
const TIMESTAMP =
  /t'([0-9]{4}-(?:0[1-9]|1[012])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?Z)'/y
const HEX = /h'((?:[0-9A-Fa-f]{2})*)'/y
const BINARY = /b'((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==))'/y
const PREFIXED: Record<string, { re: RegExp; type: 'timestamp' | 'hex' | 'binary'; name: string }> = {
  t: { re: TIMESTAMP, type: 'timestamp', name: 'timestamp' },
  h: { re: HEX, type: 'hex', name: 'hex' },
  b: { re: BINARY, type: 'binary', name: 'binary' },
}
/** Two-character operators first so `<=` is not read as `<` then `=`. `==`/`<>` are aliases. */
const PUNCT2: Record<string, string> = { '==': '=', '!=': '!=', '<>': '!=', '<=': '<=', '>=': '>=' }
const PUNCT1 = new Set(['=', '<', '>', ':', '.', ',', '(', ')', '[', ']', '*', '+', '-', '^', '/'])
const QUOTE = 0x27
const BACKSLASH = 0x5c
const SPACE = 0x20
const WHITESPACE = /[ \t\r\n\u000B\u000C\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos
  return re.exec(text)
}

function readString(text: string, start: number): Token {
  let out = ''
  let chunkStart = start + 1
  for (let i = chunkStart; i < text.length; i += 1) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) {
      return { type: 'string', text: out + text.slice(chunkStart, i), start, end: i + 1 }
    }
    if (code === BACKSLASH) {
      const next = text[i + 1]
      // The grammar only allows \' and \\; anything else cannot be a StringLiteral.
      if (next !== "'" && next !== '\\') {
        throw new PatternSyntaxError(`invalid escape sequence in string literal at ${i}`, i)
      }
      out += text.slice(chunkStart, i) + next
      i += 1
      chunkStart = i + 1
    }
  }
  throw new PatternSyntaxError(`unterminated string literal at ${start}`, start)
}

/** Returns the offset after whitespace and comments starting at `pos`. */
function skipIgnored(text: string, pos: number): number {
  let i = pos
  for (;;) {
    const code = text.charCodeAt(i)
    if (code === SPACE || ((code < SPACE || code > 0x7e) && WHITESPACE.test(text[i]))) i += 1
    else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i += 1
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) throw new PatternSyntaxError(`unterminated comment at ${i}`, i)
      i = end + 2
    } else return i
  }
}

function isIdentifierStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f
}

/** The offset just past the identifier starting at `pos` (`[a-zA-Z_][a-zA-Z0-9_-]*`). */
function identifierEnd(text: string, pos: number): number {
  let i = pos + 1
  for (
    let code = text.charCodeAt(i);
    isIdentifierStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d;
    code = text.charCodeAt(i)
  )
    i += 1
  return i
}

/** Digits, '+', '-' and '.' may start an int or float literal. */
function isNumberStart(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2d || code === 0x2e
}

function readNumber(text: string, pos: number): Token | null {
  const f = matchAt(FLOAT, text, pos)
  const n = matchAt(INT, text, pos)
  if (f && (!n || f[0].length > n[0].length)) {
    return { type: 'float', text: f[0], num: Number(f[0]), start: pos, end: pos + f[0].length }
  }
  if (n) return { type: 'int', text: n[0], num: Number(n[0]), start: pos, end: pos + n[0].length }
  return null
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let pos = skipIgnored(text, 0)
  while (pos < text.length) {
    const ch = text[pos]
    let tok: Token | null = null
    const prefixed = PREFIXED[ch]
    if (prefixed && text[pos + 1] === "'") {
      // ANTLR would fall back to identifier + string here, which no parser rule accepts, so
      // reporting the malformed literal itself is equivalent and far more helpful.
      const m = matchAt(prefixed.re, text, pos)
      if (!m) throw new PatternSyntaxError(`invalid ${prefixed.name} literal at ${pos}`, pos)
      tok = { type: prefixed.type, text: m[1], start: pos, end: pos + m[0].length }
    } else if (isIdentifierStart(text.charCodeAt(pos))) {
      const end = identifierEnd(text, pos)
      const word = text.slice(pos, end)
      if (KEYWORDS.has(word)) tok = { type: 'keyword', text: word, start: pos, end }
      else if (word === 'true' || word === 'false') tok = { type: 'bool', text: word, start: pos, end }
      else tok = { type: 'ident', text: word, hyphen: word.includes('-'), start: pos, end }
    } else if (ch === "'") {
      tok = readString(text, pos)
    } else if (isNumberStart(text.charCodeAt(pos))) {
      tok = readNumber(text, pos)
    }
    if (!tok) {
      const two = PUNCT2[text.slice(pos, pos + 2)]
      if (two) tok = { type: 'punct', text: two, start: pos, end: pos + 2 }
      else if (PUNCT1.has(ch)) tok = { type: 'punct', text: ch, start: pos, end: pos + 1 }
      else throw new PatternSyntaxError(`unexpected character '${ch}' at ${pos}`, pos)
    }
    tokens.push(tok)
    pos = skipIgnored(text, tok.end)
  }
  tokens.push({ type: 'eof', text: '', start: text.length, end: text.length })
  return tokens
}
