import type {
  ComparisonExpression,
  ComparisonNode,
  Literal,
  ObjectPath,
  ObservationExpression,
  PatternAst,
  Qualifier,
  SetLiteral,
} from './ast.js'
import { KEYWORDS } from './lexer.js'

/**
 * AST → canonical pattern text: single spaces, `=`/`!=` spellings, quoted path components only
 * where needed, and exactly the parentheses the tree shape requires. The result re-parses to an
 * equal AST, which is what lets the anonymizer rewrite values structurally instead of by regex.
 */

const OBSERVATION_PRECEDENCE = { FOLLOWEDBY: 1, OR: 2, AND: 3 } as const
const COMPARISON_PRECEDENCE = { OR: 1, AND: 2 } as const
const PRIMARY = 4
const PLAIN_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export function formatPattern(ast: PatternAst): string {
  return formatObservation(ast, 0)
}

function formatObservation(node: ObservationExpression, minPrecedence: number): string {
  if (node.kind === 'observation') return `[${formatComparison(node.expression, 0)}]`
  if (node.kind === 'qualified') {
    return `${formatObservation(node.expression, PRIMARY)} ${formatQualifier(node.qualifier)}`
  }
  const p = OBSERVATION_PRECEDENCE[node.operator]
  // Left-associative: an equal-precedence right operand needs parentheses to keep its shape.
  const text = `${formatObservation(node.left, p)} ${node.operator} ${formatObservation(node.right, p + 1)}`
  return p < minPrecedence ? `(${text})` : text
}

function formatQualifier(q: Qualifier): string {
  switch (q.kind) {
    case 'within':
      return `WITHIN ${formatNumber(q.seconds, Number.isInteger(q.seconds) ? 'int' : 'float')} SECONDS`
    case 'start-stop':
      return `START t'${q.start}' STOP t'${q.stop}'`
    case 'repeats':
      return `REPEATS ${formatNumber(q.times, 'int')} TIMES`
  }
}

function formatComparison(node: ComparisonExpression, minPrecedence: number): string {
  if (node.kind === 'comparison') return formatTest(node)
  const p = COMPARISON_PRECEDENCE[node.operator]
  const text = `${formatComparison(node.left, p)} ${node.operator} ${formatComparison(node.right, p + 1)}`
  return p < minPrecedence ? `(${text})` : text
}

function formatTest(node: ComparisonNode): string {
  const not = node.negated ? 'NOT ' : ''
  const path = formatObjectPath(node.path)
  if (node.operator === 'EXISTS') return `${not}EXISTS ${path}`
  if (node.value === undefined) throw new TypeError(`operator ${node.operator} needs a value`)
  return `${path} ${not}${node.operator} ${formatValue(node.value)}`
}

/** Formats an object path such as `file:hashes.'SHA-256'` or `x:list[*].name`. */
function formatObjectPath(path: ObjectPath): string {
  let text = `${path.objectType}:`
  path.steps.forEach((step, index) => {
    if (step.kind === 'index') text += `[${step.index === '*' ? '*' : formatNumber(step.index, 'int')}]`
    else text += `${index === 0 ? '' : '.'}${formatKey(step.name)}`
  })
  return text
}

function formatKey(name: string): string {
  const plain = PLAIN_KEY.test(name) && !KEYWORDS.has(name) && name !== 'true' && name !== 'false'
  return plain ? name : quote(name)
}

function formatValue(value: Literal | SetLiteral): string {
  if (value.kind === 'set') return `(${value.values.map(formatLiteral).join(', ')})`
  return formatLiteral(value)
}

function formatLiteral(lit: Literal): string {
  switch (lit.kind) {
    case 'string':
      return quote(lit.value)
    case 'int':
    case 'float':
      return formatNumber(lit.value, lit.kind)
    case 'bool':
      return String(lit.value)
    case 'binary':
      return `b'${lit.value}'`
    case 'hex':
      return `h'${lit.value}'`
    case 'timestamp':
      return `t'${lit.value}'`
  }
}

function quote(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

/** Plain decimal notation: the grammar has no exponent form, so `1e21` must become digits. */
function formatNumber(n: number, kind: 'int' | 'float'): string {
  if (!Number.isFinite(n)) throw new TypeError(`cannot format ${n} in a STIX pattern`)
  if (kind === 'int') {
    if (!Number.isInteger(n)) throw new TypeError(`${n} is not an integer`)
    return BigInt(n).toString()
  }
  const text = expandExponent(String(n))
  return text.includes('.') ? text : `${text}.0`
}

function expandExponent(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const [, sign, whole, fraction = '', exp] = match
  const digits = whole + fraction
  const point = whole.length + Number(exp)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}
