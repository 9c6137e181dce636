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

function describe(tok: Token): string {
  if (tok.type === 'eof') return 'end of pattern';
  if (tok.type === 'string') return 'string literal';
  return `'${tok.text}'`;
}

export function parsePattern(text: string): PatternAst {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token => tokens[i];
  const fail = (expected: string): never => {
    const tok = tokens[i];
    throw new PatternSyntaxError(`expected ${expected} at ${tok.start}, found ${describe(tok)}`, tok.start);
  };
  const isPunct = (p: string): boolean => tokens[i].type === 'punct' && tokens[i].text === p;
  const isKeyword = (k: string): boolean => tokens[i].type === 'keyword' && tokens[i].text === k;
  const expectPunct = (p: string): void => {
    if (!isPunct(p)) fail(`'${p}'`);
    i += 1;
  };
  const expectKeyword = (k: string): void => {
    if (!isKeyword(k)) fail(k);
    i += 1;
  };
  const expectType = (type: Token['type'], what: string): Token => {
    if (tokens[i].type !== type) fail(what);
    return tokens[i++];
  };
  const positiveNumber = (allowFloat: boolean, what: string): number => {
    const tok = tokens[i];
    const ok = (tok.type === 'int' || (allowFloat && tok.type === 'float')) && tok.text[0] !== '-';
    if (!ok) fail(what);
    i += 1;
    return tok.num!;
  };

  function observationExpressions(): ObservationExpression {
    let left = observationOr();
    while (isKeyword('FOLLOWEDBY')) {
      i += 1;
      left = { kind: 'observation-binary', operator: 'FOLLOWEDBY', left, right: observationOr() };
    }
    return left;
  }

  function observationOr(): ObservationExpression {
    let left = observationAnd();
    while (isKeyword('OR')) {
      i += 1;
      left = { kind: 'observation-binary', operator: 'OR', left, right: observationAnd() };
    }
    return left;
  }

  function observationAnd(): ObservationExpression {
    let left = qualifiedObservation();
    while (isKeyword('AND')) {
      i += 1;
      left = { kind: 'observation-binary', operator: 'AND', left, right: qualifiedObservation() };
    }
    return left;
  }

  function qualifiedObservation(): ObservationExpression {
    let expression = primaryObservation();
    for (let q = qualifier(); q; q = qualifier()) {
      expression = { kind: 'qualified', expression, qualifier: q };
    }
    return expression;
  }

  function primaryObservation(): ObservationExpression {
    if (isPunct('[')) {
      i += 1;
      const expression = comparisonOr();
      expectPunct(']');
      return { kind: 'observation', expression };
    }
    if (isPunct('(')) {
      i += 1;
      const inner = observationExpressions();
      expectPunct(')');
      return inner;
    }
    return fail("'[' or '('");
  }

  function qualifier(): Qualifier | null {
    if (isKeyword('WITHIN')) {
      i += 1;
      const seconds = positiveNumber(true, 'a positive number');
      expectKeyword('SECONDS');
      return { kind: 'within', seconds };
    }
    if (isKeyword('START')) {
      i += 1;
      const start = expectType('timestamp', 'a timestamp literal').text;
      expectKeyword('STOP');
      const stop = expectType('timestamp', 'a timestamp literal').text;
      return { kind: 'start-stop', start, stop };
    }
    if (isKeyword('REPEATS')) {
      i += 1;
      const times = positiveNumber(false, 'a positive integer');
      expectKeyword('TIMES');
      return { kind: 'repeats', times };
    }
    return null;
  }

  function comparisonOr(): ComparisonExpression {
    let left = comparisonAnd();
    while (isKeyword('OR')) {
      i += 1;
      left = { kind: 'comparison-binary', operator: 'OR', left, right: comparisonAnd() };
    }
    return left;
  }

  function comparisonAnd(): ComparisonExpression {
    let left = propTest();
    while (isKeyword('AND')) {
      i += 1;
      left = { kind: 'comparison-binary', operator: 'AND', left, right: propTest() };
    }
    return left;
  }

  function propTest(): ComparisonExpression {
    if (isPunct('(')) {
      i += 1;
      const inner = comparisonOr();
      expectPunct(')');
      return inner;
    }
    if (isKeyword('NOT') || isKeyword('EXISTS')) {
      const negated = isKeyword('NOT');
      if (negated) i += 1;
      expectKeyword('EXISTS');
      return { kind: 'comparison', path: objectPath(), operator: 'EXISTS', negated };
    }
    const path = objectPath();
    const negated = isKeyword('NOT');
    if (negated) i += 1;
    const tok = peek();
    const op = tok.text;
    let node: ComparisonNode;
    if (tok.type === 'punct' && (op === '=' || op === '!=')) {
      i += 1;
      node = { kind: 'comparison', path, operator: op, negated, value: literal(false) };
    } else if (tok.type === 'punct' && ORDER_OPS.has(op)) {
      i += 1;
      const operator = op as ComparisonOperator;
      node = { kind: 'comparison', path, operator, negated, value: literal(true) };
    } else if (isKeyword('IN')) {
      i += 1;
      node = { kind: 'comparison', path, operator: 'IN', negated, value: setLiteral() };
    } else if (tok.type === 'keyword' && STRING_OPS.has(op)) {
      i += 1;
      const value: Literal = { kind: 'string', value: expectType('string', 'a string literal').text };
      node = { kind: 'comparison', path, operator: op as ComparisonOperator, negated, value };
    } else {
      return fail('a comparison operator');
    }
    return node;
  }

  function objectPath(): ObjectPath {
    const objectType = expectType('ident', 'an object type').text;
    expectPunct(':');
    const steps: PathStep[] = [keyStep()];
    for (;;) {
      if (isPunct('.')) {
        i += 1;
        steps.push(keyStep());
      } else if (isPunct('[')) {
        i += 1;
        const tok = peek();
        if (tok.type === 'int') steps.push({ kind: 'index', index: normalizeZero(tok.num!) });
        else if (isPunct('*')) steps.push({ kind: 'index', index: '*' });
        else fail("a list index or '*'");
        i += 1;
        expectPunct(']');
      } else return { objectType, steps };
    }
  }

  function keyStep(): PathStep {
    const tok = peek();
    if ((tok.type === 'ident' && !tok.hyphen) || tok.type === 'string') {
      i += 1;
      return { kind: 'key', name: tok.text };
    }
    return fail('a property name');
  }

  function literal(orderableOnly: boolean): Literal {
    const tok = peek();
    if (tok.type === 'bool' && !orderableOnly) {
      i += 1;
      return { kind: 'bool', value: tok.text === 'true' };
    }
    if (!ORDERABLE.has(tok.type)) return fail(orderableOnly ? 'an orderable literal' : 'a literal value');
    i += 1;
    if (tok.type === 'int' || tok.type === 'float') {
      return { kind: tok.type, value: normalizeZero(tok.num!) };
    }
    return { kind: tok.type as 'string' | 'binary' | 'hex' | 'timestamp', value: tok.text };
  }

  function setLiteral(): SetLiteral {
    expectPunct('(');
    const values: Literal[] = [];
    if (!isPunct(')')) {
      values.push(literal(false));
      while (isPunct(',')) {
        i += 1;
        values.push(literal(false));
      }
    }
    expectPunct(')');
    return { kind: 'set', values };
  }

  const ast = observationExpressions();
  if (peek().type !== 'eof') fail('AND, OR, FOLLOWEDBY, a qualifier or end of pattern');
  return ast;
}

/** `-0` and `0` are the same number; keeping -0 would make equal patterns compare unequal. */
function normalizeZero(n: number): number {
  return n === 0 ? 0 : n;
}
