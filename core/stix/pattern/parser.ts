import type {
  ComparisonExpression,
  ComparisonNode,
  ComparisonOperator,
  Literal,
  ObjectPath,
  ObservationExpression,
  PathStep,
  PatternAst,
  Qualifier,
  SetLiteral,
} from './ast.js';
import { PatternSyntaxError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

/**
 * Recursive-descent parser for STIXPattern.g4. The grammar's left-recursive rules become loops:
 * observation operators bind FOLLOWEDBY < OR < AND, comparison operators OR < AND, all
 * left-associative; qualifiers are postfix and may repeat.
 */

const ORDER_OPS = new Set(['<', '>', '<=', '>=']);
const STRING_OPS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET']);
const ORDERABLE = new Set(['int', 'float', 'string', 'binary', 'hex', 'timestamp']);

/** Cursor over the token list; module-level functions take it so no closures are created per parse. */
interface Cursor {
  tokens: Token[];
  i: number;
}

function describe(tok: Token): string {
  if (tok.type === 'eof') return 'end of pattern';
  if (tok.type === 'string') return 'string literal';
  return `'${tok.text}'`;
}

function fail(c: Cursor, expected: string): never {
  const tok = c.tokens[c.i];
  throw new PatternSyntaxError(`expected ${expected} at ${tok.start}, found ${describe(tok)}`, tok.start);
}

function isPunct(c: Cursor, p: string): boolean {
  const tok = c.tokens[c.i];
  return tok.type === 'punct' && tok.text === p;
}

function isKeyword(c: Cursor, k: string): boolean {
  const tok = c.tokens[c.i];
  return tok.type === 'keyword' && tok.text === k;
}

function expectPunct(c: Cursor, p: string): void {
  if (!isPunct(c, p)) fail(c, `'${p}'`);
  c.i += 1;
}

function expectKeyword(c: Cursor, k: string): void {
  if (!isKeyword(c, k)) fail(c, k);
  c.i += 1;
}

function expectType(c: Cursor, type: Token['type'], what: string): Token {
  if (c.tokens[c.i].type !== type) fail(c, what);
  return c.tokens[c.i++];
}

function positiveNumber(c: Cursor, allowFloat: boolean, what: string): number {
  const tok = c.tokens[c.i];
  const ok = (tok.type === 'int' || (allowFloat && tok.type === 'float')) && tok.text[0] !== '-';
  if (!ok) fail(c, what);
  c.i += 1;
  return tok.num!;
}

export function parsePattern(text: string): PatternAst {
  const c: Cursor = { tokens: tokenize(text), i: 0 };
  const ast = observationExpressions(c);
  if (c.tokens[c.i].type !== 'eof') fail(c, 'AND, OR, FOLLOWEDBY, a qualifier or end of pattern');
  return ast;
}

function observationExpressions(c: Cursor): ObservationExpression {
  let left = observationOr(c);
  while (isKeyword(c, 'FOLLOWEDBY')) {
    c.i += 1;
    left = { kind: 'observation-binary', operator: 'FOLLOWEDBY', left, right: observationOr(c) };
  }
  return left;
}

function observationOr(c: Cursor): ObservationExpression {
  let left = observationAnd(c);
  while (isKeyword(c, 'OR')) {
    c.i += 1;
    left = { kind: 'observation-binary', operator: 'OR', left, right: observationAnd(c) };
  }
  return left;
}

function observationAnd(c: Cursor): ObservationExpression {
  let left = qualifiedObservation(c);
  while (isKeyword(c, 'AND')) {
    c.i += 1;
    left = { kind: 'observation-binary', operator: 'AND', left, right: qualifiedObservation(c) };
  }
  return left;
}

function qualifiedObservation(c: Cursor): ObservationExpression {
  let expression = primaryObservation(c);
  for (let q = qualifier(c); q; q = qualifier(c)) {
    expression = { kind: 'qualified', expression, qualifier: q };
  }
  return expression;
}

function primaryObservation(c: Cursor): ObservationExpression {
  if (isPunct(c, '[')) {
    c.i += 1;
    const expression = comparisonOr(c);
    expectPunct(c, ']');
    return { kind: 'observation', expression };
  }
  if (isPunct(c, '(')) {
    c.i += 1;
    const inner = observationExpressions(c);
    expectPunct(c, ')');
    return inner;
  }
  return fail(c, "'[' or '('");
}

function qualifier(c: Cursor): Qualifier | null {
  if (isKeyword(c, 'WITHIN')) {
    c.i += 1;
    const seconds = positiveNumber(c, true, 'a positive number');
    expectKeyword(c, 'SECONDS');
    return { kind: 'within', seconds };
  }
  if (isKeyword(c, 'START')) {
    c.i += 1;
    const start = expectType(c, 'timestamp', 'a timestamp literal').text;
    expectKeyword(c, 'STOP');
    const stop = expectType(c, 'timestamp', 'a timestamp literal').text;
    return { kind: 'start-stop', start, stop };
  }
  if (isKeyword(c, 'REPEATS')) {
    c.i += 1;
    const times = positiveNumber(c, false, 'a positive integer');
    expectKeyword(c, 'TIMES');
    return { kind: 'repeats', times };
  }
  return null;
}

function comparisonOr(c: Cursor): ComparisonExpression {
  let left = comparisonAnd(c);
  while (isKeyword(c, 'OR')) {
    c.i += 1;
    left = { kind: 'comparison-binary', operator: 'OR', left, right: comparisonAnd(c) };
  }
  return left;
}

function comparisonAnd(c: Cursor): ComparisonExpression {
  let left = propTest(c);
  while (isKeyword(c, 'AND')) {
    c.i += 1;
    left = { kind: 'comparison-binary', operator: 'AND', left, right: propTest(c) };
  }
  return left;
}

function propTest(c: Cursor): ComparisonExpression {
  if (isPunct(c, '(')) {
    c.i += 1;
    const inner = comparisonOr(c);
    expectPunct(c, ')');
    return inner;
  }
  if (isKeyword(c, 'NOT') || isKeyword(c, 'EXISTS')) {
    const negated = isKeyword(c, 'NOT');
    if (negated) c.i += 1;
    expectKeyword(c, 'EXISTS');
    return { kind: 'comparison', path: objectPath(c), operator: 'EXISTS', negated };
  }
  const path = objectPath(c);
  const negated = isKeyword(c, 'NOT');
  if (negated) c.i += 1;
  const tok = c.tokens[c.i];
  const op = tok.text;
  if (tok.type === 'punct' && (op === '=' || op === '!=')) {
    c.i += 1;
    return { kind: 'comparison', path, operator: op, negated, value: literal(c, false) };
  }
  if (tok.type === 'punct' && ORDER_OPS.has(op)) {
    c.i += 1;
    return { kind: 'comparison', path, operator: op as ComparisonOperator, negated, value: literal(c, true) };
  }
  if (isKeyword(c, 'IN')) {
    c.i += 1;
    return { kind: 'comparison', path, operator: 'IN', negated, value: setLiteral(c) };
  }
  if (tok.type === 'keyword' && STRING_OPS.has(op)) {
    c.i += 1;
    const value: Literal = { kind: 'string', value: expectType(c, 'string', 'a string literal').text };
    return { kind: 'comparison', path, operator: op as ComparisonOperator, negated, value };
  }
  return fail(c, 'a comparison operator');
}

function objectPath(c: Cursor): ObjectPath {
  const objectType = expectType(c, 'ident', 'an object type').text;
  expectPunct(c, ':');
  const steps: PathStep[] = [keyStep(c)];
  for (;;) {
    if (isPunct(c, '.')) {
      c.i += 1;
      steps.push(keyStep(c));
    } else if (isPunct(c, '[')) {
      c.i += 1;
      const tok = c.tokens[c.i];
      if (tok.type === 'int') steps.push({ kind: 'index', index: normalizeZero(tok.num!) });
      else if (isPunct(c, '*')) steps.push({ kind: 'index', index: '*' });
      else fail(c, "a list index or '*'");
      c.i += 1;
      expectPunct(c, ']');
    } else return { objectType, steps };
  }
}

function keyStep(c: Cursor): PathStep {
  const tok = c.tokens[c.i];
  if ((tok.type === 'ident' && !tok.hyphen) || tok.type === 'string') {
    c.i += 1;
    return { kind: 'key', name: tok.text };
  }
  return fail(c, 'a property name');
}

function literal(c: Cursor, orderableOnly: boolean): Literal {
  const tok = c.tokens[c.i];
  if (tok.type === 'bool' && !orderableOnly) {
    c.i += 1;
    return { kind: 'bool', value: tok.text === 'true' };
  }
  if (!ORDERABLE.has(tok.type)) return fail(c, orderableOnly ? 'an orderable literal' : 'a literal value');
  c.i += 1;
  if (tok.type === 'int' || tok.type === 'float') return { kind: tok.type, value: normalizeZero(tok.num!) };
  return { kind: tok.type as 'string' | 'binary' | 'hex' | 'timestamp', value: tok.text };
}

function setLiteral(c: Cursor): SetLiteral {
  expectPunct(c, '(');
  const values: Literal[] = [];
  if (!isPunct(c, ')')) {
    values.push(literal(c, false));
    while (isPunct(c, ',')) {
      c.i += 1;
      values.push(literal(c, false));
    }
  }
  expectPunct(c, ')');
  return { kind: 'set', values };
}

/** `-0` and `0` are the same number; keeping -0 would make equal patterns compare unequal. */
function normalizeZero(n: number): number {
  return n === 0 ? 0 : n;
}
