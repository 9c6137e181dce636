import assert from 'node:assert/strict'
import fc from 'fast-check'
import t from 'tap'
import type {
  ComparisonExpression,
  ComparisonNode,
  Literal,
  ObjectPath,
  ObservationExpression,
  Qualifier,
} from './ast.js'
import { formatPattern, listComparisons, mapComparisons, parsePattern } from './index.js'

const noNegativeZero = (n: number): number => (n === 0 ? 0 : n)
const timestamp = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString(), `${d.toISOString().slice(0, 19)}Z`))
const bytes = fc.uint8Array({ minLength: 1, maxLength: 12 })

const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.string().map((value) => ({ kind: 'string' as const, value })),
  fc.integer().map((value) => ({ kind: 'int' as const, value: noNegativeZero(value) })),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map((value) => ({ kind: 'float' as const, value: noNegativeZero(value) })),
  fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
  bytes.map((b) => ({ kind: 'binary' as const, value: Buffer.from(b).toString('base64') })),
  bytes.map((b) => ({ kind: 'hex' as const, value: Buffer.from(b).toString('hex') })),
  timestamp.map((value) => ({ kind: 'timestamp' as const, value })),
)
const orderable = literal.filter((l) => l.kind !== 'bool')

const objectPath: fc.Arbitrary<ObjectPath> = fc.record({
  objectType: fc
    .stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}$/)
    .filter((s) => s !== 'true' && s !== 'false'),
  steps: fc
    .tuple(
      fc.string().map((name) => ({ kind: 'key' as const, name })),
      fc.array(
        fc.oneof(
          fc.string().map((name) => ({ kind: 'key' as const, name })),
          fc
            .oneof(fc.integer({ min: -5, max: 100 }), fc.constant('*' as const))
            .map((index) => ({ kind: 'index' as const, index })),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([first, rest]) => [first, ...rest]),
})

const comparison: fc.Arbitrary<ComparisonNode> = fc
  .tuple(objectPath, fc.boolean(), fc.integer({ min: 0, max: 5 }))
  .chain(([path, negated, variant]): fc.Arbitrary<ComparisonNode> => {
    const base = { kind: 'comparison' as const, path, negated }
    switch (variant) {
      case 0:
        return fc
          .tuple(fc.constantFrom('=' as const, '!=' as const), literal)
          .map(([operator, value]) => ({ ...base, operator, value }))
      case 1:
        return fc
          .tuple(fc.constantFrom('<' as const, '>' as const, '<=' as const, '>=' as const), orderable)
          .map(([operator, value]) => ({ ...base, operator, value }))
      case 2:
        return fc
          .array(literal, { maxLength: 4 })
          .map((values) => ({ ...base, operator: 'IN' as const, value: { kind: 'set' as const, values } }))
      case 3:
        return fc
          .tuple(
            fc.constantFrom('LIKE' as const, 'MATCHES' as const, 'ISSUBSET' as const, 'ISSUPERSET' as const),
            fc.string(),
          )
          .map(([operator, value]) => ({ ...base, operator, value: { kind: 'string' as const, value } }))
      default:
        return fc.constant({ ...base, operator: 'EXISTS' as const })
    }
  })

const qualifier: fc.Arbitrary<Qualifier> = fc.oneof(
  fc
    .oneof(fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true }))
    .map((s) => ({ kind: 'within' as const, seconds: noNegativeZero(s) })),
  fc.tuple(timestamp, timestamp).map(([start, stop]) => ({ kind: 'start-stop' as const, start, stop })),
  fc.nat().map((times) => ({ kind: 'repeats' as const, times })),
)

const { observationExpression } = fc.letrec<{
  comparisonExpression: ComparisonExpression
  observationExpression: ObservationExpression
}>((tie) => ({
  comparisonExpression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.record({
      kind: fc.constant('comparison-binary' as const),
      operator: fc.constantFrom('AND' as const, 'OR' as const),
      left: tie('comparisonExpression'),
      right: tie('comparisonExpression'),
    }),
  ),
  observationExpression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('comparisonExpression').map((expression) => ({ kind: 'observation' as const, expression })),
    fc.record({
      kind: fc.constant('observation-binary' as const),
      operator: fc.constantFrom('AND' as const, 'OR' as const, 'FOLLOWEDBY' as const),
      left: tie('observationExpression'),
      right: tie('observationExpression'),
    }),
    fc.record({ kind: fc.constant('qualified' as const), expression: tie('observationExpression'), qualifier }),
  ),
}))

t.test('formatted patterns re-parse to the same AST', async (t) => {
  // Assertions throw inside the property so fast-check can shrink a failure to a minimal AST.
  fc.assert(
    fc.property(observationExpression, (ast) => {
      const text = formatPattern(ast)
      // fc.record builds null-prototype objects; compare against plain ones.
      assert.deepStrictEqual(parsePattern(text), JSON.parse(JSON.stringify(ast)), text)
      assert.equal(formatPattern(parsePattern(text)), text, 'formatting is idempotent')
    }),
    { numRuns: 1000 },
  )
  t.pass('1000 generated patterns round-trip')
})

t.test('formats canonically', async (t) => {
  const cases: [string, string][] = [
    ["[ ipv4-addr:value == '10.0.0.0' ]", "[ipv4-addr:value = '10.0.0.0']"],
    ["([a:b <> 1] AND [a:'c' = 'it\\'s']) WITHIN 300 SECONDS", "([a:b != 1] AND [a:c = 'it\\'s']) WITHIN 300 SECONDS"],
    ['[a:b = 1] OR ([a:b = 2] OR [a:b = 3])', '[a:b = 1] OR ([a:b = 2] OR [a:b = 3])'],
    ['([a:b = 1] OR [a:b = 2]) OR [a:b = 3]', '[a:b = 1] OR [a:b = 2] OR [a:b = 3]'],
    ["[x:'AND'.'with space'[*] = 1e0]".replace('1e0', '1.0'), "[x:'AND'.'with space'[*] = 1.0]"],
    ['[a:b NOT IN (1, 2)]', '[a:b NOT IN (1, 2)]'],
  ]
  for (const [input, expected] of cases) t.equal(formatPattern(parsePattern(input)), expected, input)
  const big = parsePattern('[a:b = 1]')
  const rewritten = mapComparisons(big, (c) => ({ ...c, value: { kind: 'float', value: 1e21 } }))
  t.equal(formatPattern(rewritten), '[a:b = 1000000000000000000000.0]', 'no exponent notation')
})

t.test('mapComparisons rewrites values without touching the input', async (t) => {
  const original =
    "[ipv4-addr:value = '198.51.100.3' AND file:hashes.'SHA-256' = 'abc'] FOLLOWEDBY [domain-name:value = 'evil.example'] WITHIN 60 SECONDS"
  const ast = parsePattern(original)
  const anonymized = mapComparisons(ast, (cmp) =>
    cmp.value?.kind === 'string' ? { ...cmp, value: { kind: 'string', value: `<${cmp.path.objectType}>` } } : cmp,
  )
  t.equal(
    formatPattern(anonymized),
    "[ipv4-addr:value = '<ipv4-addr>' AND file:hashes.'SHA-256' = '<file>'] FOLLOWEDBY [domain-name:value = '<domain-name>'] WITHIN 60 SECONDS",
  )
  t.equal(formatPattern(ast), formatPattern(parsePattern(original)), 'input AST unchanged')
  t.strictSame(
    listComparisons(ast).map((c) => c.path.objectType),
    ['ipv4-addr', 'file', 'domain-name'],
  )
})
