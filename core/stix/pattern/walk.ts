import type { ComparisonExpression, ComparisonNode, ObservationExpression, PatternAst } from './ast.js'

type ComparisonMapper = (cmp: ComparisonNode) => ComparisonNode

/**
 * Returns a copy of the pattern with every comparison replaced by `fn(comparison)`, in source
 * order; the input is not mutated. Used by the anonymizer to rewrite constants (IPs, domains,
 * hashes) while leaving the pattern's structure intact.
 */
export function mapComparisons(ast: PatternAst, fn: ComparisonMapper): PatternAst {
  return mapObservation(ast, fn)
}

function mapObservation(node: ObservationExpression, fn: ComparisonMapper): ObservationExpression {
  switch (node.kind) {
    case 'observation':
      return { kind: 'observation', expression: mapComparison(node.expression, fn) }
    case 'qualified':
      return { ...node, expression: mapObservation(node.expression, fn) }
    case 'observation-binary': {
      const left = mapObservation(node.left, fn)
      return { ...node, left, right: mapObservation(node.right, fn) }
    }
  }
}

function mapComparison(node: ComparisonExpression, fn: ComparisonMapper): ComparisonExpression {
  if (node.kind === 'comparison') return fn(node)
  const left = mapComparison(node.left, fn)
  return { ...node, left, right: mapComparison(node.right, fn) }
}

/** All comparisons of the pattern in source order. */
export function listComparisons(ast: PatternAst): ComparisonNode[] {
  const found: ComparisonNode[] = []
  mapComparisons(ast, (cmp) => {
    found.push(cmp)
    return cmp
  })
  return found
}
