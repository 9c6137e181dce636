import type { ComparisonExpression, ComparisonNode, ObservationExpression, PatternAst } from './ast.js';

/**
 * Returns a copy of the pattern with every comparison replaced by `fn(comparison)`; the input is
 * not mutated. Used by the anonymizer to rewrite constants (IPs, domains, hashes) in place while
 * leaving the pattern's structure intact.
 */
export function mapComparisons(ast: PatternAst, fn: (cmp: ComparisonNode) => ComparisonNode): PatternAst {
  const mapComparison = (node: ComparisonExpression): ComparisonExpression =>
    node.kind === 'comparison'
      ? fn(node)
      : { ...node, left: mapComparison(node.left), right: mapComparison(node.right) };
  const mapObservation = (node: ObservationExpression): ObservationExpression => {
    switch (node.kind) {
      case 'observation':
        return { kind: 'observation', expression: mapComparison(node.expression) };
      case 'qualified':
        return { ...node, expression: mapObservation(node.expression) };
      case 'observation-binary':
        return { ...node, left: mapObservation(node.left), right: mapObservation(node.right) };
    }
  };
  return mapObservation(ast);
}

/** All comparisons of the pattern in source order. */
export function listComparisons(ast: PatternAst): ComparisonNode[] {
  const found: ComparisonNode[] = [];
  mapComparisons(ast, (cmp) => {
    found.push(cmp);
    return cmp;
  });
  return found;
}
