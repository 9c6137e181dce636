import { PatternSyntaxError } from './errors.js'
import type { Token } from './lexer.js'

/** Cursor over the token list; module-level functions take it so no closures are created per parse. */
export interface Cursor {
  tokens: Token[]
  i: number
  /** Parentheses open around the current token. */
  depth: number
}

/** Parentheses a pattern may nest: each level costs the recursive-descent parser a few stack frames. */
const MAX_PARENTHESES = 100

function describe(tok: Token): string {
  if (tok.type === 'eof') return 'end of pattern'
  if (tok.type === 'string') return 'string literal'
  return `'${tok.text}'`
}

export function fail(c: Cursor, expected: string): never {
  const tok = c.tokens[c.i]
  throw new PatternSyntaxError(`expected ${expected} at ${tok.start}, found ${describe(tok)}`, tok.start)
}

export function isPunct(c: Cursor, p: string): boolean {
  const tok = c.tokens[c.i]
  return tok.type === 'punct' && tok.text === p
}

export function isKeyword(c: Cursor, k: string): boolean {
  const tok = c.tokens[c.i]
  return tok.type === 'keyword' && tok.text === k
}

export function expectPunct(c: Cursor, p: string): void {
  if (!isPunct(c, p)) fail(c, `'${p}'`)
  c.i += 1
}

export function expectKeyword(c: Cursor, k: string): void {
  if (!isKeyword(c, k)) fail(c, k)
  c.i += 1
}

export function expectType(c: Cursor, type: Token['type'], what: string): Token {
  if (c.tokens[c.i].type !== type) fail(c, what)
  return c.tokens[c.i++]
}

export function positiveNumber(c: Cursor, allowFloat: boolean, what: string): number {
  const tok = c.tokens[c.i]
  if ((tok.type === 'int' || (allowFloat && tok.type === 'float')) && tok.text[0] !== '-') {
    c.i += 1
    return tok.num
  }
  return fail(c, what)
}

/** Consumes '(' and counts it against {@link MAX_PARENTHESES}. */
export function openParen(c: Cursor): void {
  const tok = c.tokens[c.i]
  if (c.depth >= MAX_PARENTHESES)
    throw new PatternSyntaxError(`parentheses nested deeper than ${MAX_PARENTHESES} at ${tok.start}`, tok.start)
  c.depth += 1
  c.i += 1
}

export function closeParen(c: Cursor): void {
  expectPunct(c, ')')
  c.depth -= 1
}
