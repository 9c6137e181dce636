import type { ComparisonExpression, ObservationExpression, PatternAst, Qualifier } from './ast.js'
import {
  closeParen,
  expectKeyword,
  expectPunct,
  expectType,
  fail,
  isKeyword,
  isPunct,
  openParen,
  positiveNumber,
  type Cursor,
} from './cursor.js'
import { PatternSyntaxError } from './errors.js'
import { tokenize } from './lexer.js'
import { comparisonOr } from './parse-comparison.js'

/**
 * Recursive-descent parser for STIXPattern.g4. The grammar's left-recursive rules become loops:
 * observation operators bind FOLLOWEDBY < OR < AND, all left-associative; qualifiers are postfix
 * and may repeat. Parse functions are module-level and share a cursor object: nested closures
 * would be re-created (and, under tsx, renamed) on every call, which made parsing 5x slower.
 */

/**
 * Deepest AST a pattern may parse to. Operators are left-associative, so a chain of n ANDs is a tree n deep,
 * and the walkers that rewrite and format stored patterns on every read (anonymization, exporters) recurse
 * once per level.
 */
const MAX_TREE_DEPTH = 1000

/**
 * Parses a STIX 2.1 pattern into its AST.
 * @throws PatternSyntaxError with the offending character offset, e.g. "expected ']' at 34, ...".
 */
export function parsePattern(text: string): PatternAst {
  const c: Cursor = { tokens: tokenize(text), i: 0, depth: 0 }
  const ast = observationExpressions(c)
  if (c.tokens[c.i].type !== 'eof') fail(c, 'AND, OR, FOLLOWEDBY, a qualifier or end of pattern')
  if (treeDepth(ast) > MAX_TREE_DEPTH)
    throw new PatternSyntaxError(`more than ${MAX_TREE_DEPTH} chained or nested expressions`, 0)
  return ast
}

function treeDepth(ast: PatternAst): number {
  let deepest = 0
  const stack: [ObservationExpression | ComparisonExpression, number][] = [[ast, 1]]
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry
    deepest = Math.max(deepest, depth)
    if (node.kind === 'observation' || node.kind === 'qualified') stack.push([node.expression, depth + 1])
    else if (node.kind !== 'comparison') stack.push([node.left, depth + 1], [node.right, depth + 1])
  }
  return deepest
}

function observationExpressions(c: Cursor): ObservationExpression {
  let left = observationOr(c)
  while (isKeyword(c, 'FOLLOWEDBY')) {
    c.i += 1
    left = { kind: 'observation-binary', operator: 'FOLLOWEDBY', left, right: observationOr(c) }
  }
  return left
}

function observationOr(c: Cursor): ObservationExpression {
  let left = observationAnd(c)
  while (isKeyword(c, 'OR')) {
    c.i += 1
    left = { kind: 'observation-binary', operator: 'OR', left, right: observationAnd(c) }
  }
  return left
}

function observationAnd(c: Cursor): ObservationExpression {
  let left = qualifiedObservation(c)
  while (isKeyword(c, 'AND')) {
    c.i += 1
    left = { kind: 'observation-binary', operator: 'AND', left, right: qualifiedObservation(c) }
  }
  return left
}

function qualifiedObservation(c: Cursor): ObservationExpression {
  let expression = primaryObservation(c)
  for (let q = qualifier(c); q; q = qualifier(c)) {
    expression = { kind: 'qualified', expression, qualifier: q }
  }
  return expression
}

function primaryObservation(c: Cursor): ObservationExpression {
  if (isPunct(c, '[')) {
    c.i += 1
    const expression = comparisonOr(c)
    expectPunct(c, ']')
    return { kind: 'observation', expression }
  }
  if (isPunct(c, '(')) {
    openParen(c)
    const inner = observationExpressions(c)
    closeParen(c)
    return inner
  }
  return fail(c, "'[' or '('")
}

function qualifier(c: Cursor): Qualifier | null {
  if (isKeyword(c, 'WITHIN')) {
    c.i += 1
    const seconds = positiveNumber(c, true, 'a positive number')
    expectKeyword(c, 'SECONDS')
    return { kind: 'within', seconds }
  }
  if (isKeyword(c, 'START')) {
    c.i += 1
    const start = expectType(c, 'timestamp', 'a timestamp literal').text
    expectKeyword(c, 'STOP')
    const stop = expectType(c, 'timestamp', 'a timestamp literal').text
    return { kind: 'start-stop', start, stop }
  }
  if (isKeyword(c, 'REPEATS')) {
    c.i += 1
    const times = positiveNumber(c, false, 'a positive integer')
    expectKeyword(c, 'TIMES')
    return { kind: 'repeats', times }
  }
  return null
}
