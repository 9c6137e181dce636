import type { ComparisonExpression, Literal, ObjectPath, PathStep, SetLiteral } from './ast.js'
import {
  closeParen,
  expectKeyword,
  expectPunct,
  expectType,
  fail,
  isKeyword,
  isPunct,
  openParen,
  type Cursor,
} from './cursor.js'

/** Comparison expressions (inside `[...]`): OR binds looser than AND, both left-associative. */

function isOrderOperator(op: string): op is '<' | '>' | '<=' | '>=' {
  return op === '<' || op === '>' || op === '<=' || op === '>='
}

function isStringOperator(op: string): op is 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET' {
  return op === 'LIKE' || op === 'MATCHES' || op === 'ISSUBSET' || op === 'ISSUPERSET'
}

export function comparisonOr(c: Cursor): ComparisonExpression {
  let left = comparisonAnd(c)
  while (isKeyword(c, 'OR')) {
    c.i += 1
    left = { kind: 'comparison-binary', operator: 'OR', left, right: comparisonAnd(c) }
  }
  return left
}

function comparisonAnd(c: Cursor): ComparisonExpression {
  let left = propTest(c)
  while (isKeyword(c, 'AND')) {
    c.i += 1
    left = { kind: 'comparison-binary', operator: 'AND', left, right: propTest(c) }
  }
  return left
}

function propTest(c: Cursor): ComparisonExpression {
  if (isPunct(c, '(')) {
    openParen(c)
    const inner = comparisonOr(c)
    closeParen(c)
    return inner
  }
  if (isKeyword(c, 'NOT') || isKeyword(c, 'EXISTS')) {
    const negated = isKeyword(c, 'NOT')
    if (negated) c.i += 1
    expectKeyword(c, 'EXISTS')
    return { kind: 'comparison', path: objectPath(c), operator: 'EXISTS', negated }
  }
  const path = objectPath(c)
  const negated = isKeyword(c, 'NOT')
  if (negated) c.i += 1
  const tok = c.tokens[c.i]
  const op = tok.text
  if (tok.type === 'punct' && (op === '=' || op === '!=')) {
    c.i += 1
    return { kind: 'comparison', path, operator: op, negated, value: literal(c, false) }
  }
  if (tok.type === 'punct' && isOrderOperator(op)) {
    c.i += 1
    return { kind: 'comparison', path, operator: op, negated, value: literal(c, true) }
  }
  if (isKeyword(c, 'IN')) {
    c.i += 1
    return { kind: 'comparison', path, operator: 'IN', negated, value: setLiteral(c) }
  }
  if (tok.type === 'keyword' && isStringOperator(op)) {
    c.i += 1
    const value: Literal = { kind: 'string', value: expectType(c, 'string', 'a string literal').text }
    return { kind: 'comparison', path, operator: op, negated, value }
  }
  return fail(c, 'a comparison operator')
}

function objectPath(c: Cursor): ObjectPath {
  const objectType = expectType(c, 'ident', 'an object type').text
  expectPunct(c, ':')
  const steps: PathStep[] = [keyStep(c)]
  for (;;) {
    if (isPunct(c, '.')) {
      c.i += 1
      steps.push(keyStep(c))
    } else if (isPunct(c, '[')) {
      c.i += 1
      const tok = c.tokens[c.i]
      if (tok.type === 'int') steps.push({ kind: 'index', index: normalizeZero(tok.num) })
      else if (isPunct(c, '*')) steps.push({ kind: 'index', index: '*' })
      else fail(c, "a list index or '*'")
      c.i += 1
      expectPunct(c, ']')
    } else return { objectType, steps }
  }
}

function keyStep(c: Cursor): PathStep {
  const tok = c.tokens[c.i]
  if ((tok.type === 'ident' && !tok.hyphen) || tok.type === 'string') {
    c.i += 1
    return { kind: 'key', name: tok.text }
  }
  return fail(c, 'a property name')
}

function literal(c: Cursor, orderableOnly: boolean): Literal {
  const tok = c.tokens[c.i]
  switch (tok.type) {
    case 'int':
    case 'float':
      c.i += 1
      return { kind: tok.type, value: normalizeZero(tok.num) }
    case 'string':
    case 'binary':
    case 'hex':
    case 'timestamp':
      c.i += 1
      return { kind: tok.type, value: tok.text }
    case 'bool':
      if (orderableOnly) break
      c.i += 1
      return { kind: 'bool', value: tok.text === 'true' }
  }
  return fail(c, orderableOnly ? 'an orderable literal' : 'a literal value')
}

function setLiteral(c: Cursor): SetLiteral {
  expectPunct(c, '(')
  const values: Literal[] = []
  if (!isPunct(c, ')')) {
    values.push(literal(c, false))
    while (isPunct(c, ',')) {
      c.i += 1
      values.push(literal(c, false))
    }
  }
  expectPunct(c, ')')
  return { kind: 'set', values }
}

/** `-0` and `0` are the same number; keeping -0 would make equal patterns compare unequal. */
function normalizeZero(n: number): number {
  return n === 0 ? 0 : n
}
