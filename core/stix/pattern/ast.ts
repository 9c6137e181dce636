/**
 * AST of the STIX 2.1 patterning language (grammar: ./STIXPattern.g4).
 *
 * Parentheses are not nodes: binary nodes keep the tree shape the parser built and the
 * formatter re-inserts the parentheses that shape needs, so equal ASTs format identically.
 */

/** A whole pattern is an observation expression. */
export type PatternAst = ObservationExpression

export type ObservationExpression = ObservationNode | ObservationBinaryNode | QualifiedNode

/** `[ comparisonExpression ]` */
export interface ObservationNode {
  kind: 'observation'
  expression: ComparisonExpression
}

/** Observation operators, loosest binding first: FOLLOWEDBY < OR < AND. */
export type ObservationOperator = 'FOLLOWEDBY' | 'OR' | 'AND'

export interface ObservationBinaryNode {
  kind: 'observation-binary'
  operator: ObservationOperator
  left: ObservationExpression
  right: ObservationExpression
}

/** A qualifier applied (postfix) to an observation expression. */
export interface QualifiedNode {
  kind: 'qualified'
  expression: ObservationExpression
  qualifier: Qualifier
}

export type Qualifier =
  | { kind: 'within'; seconds: number }
  | { kind: 'start-stop'; start: string; stop: string }
  | { kind: 'repeats'; times: number }

export type ComparisonExpression = ComparisonNode | ComparisonBinaryNode

export interface ComparisonBinaryNode {
  kind: 'comparison-binary'
  operator: 'AND' | 'OR'
  left: ComparisonExpression
  right: ComparisonExpression
}

/** `==` and `<>` are parsed as their canonical spellings `=` and `!=`. */
export type ComparisonOperator =
  '=' | '!=' | '>' | '<' | '>=' | '<=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET' | 'EXISTS'

/** One property test. `value` is absent for EXISTS and a set literal for IN. */
export interface ComparisonNode {
  kind: 'comparison'
  path: ObjectPath
  operator: ComparisonOperator
  negated: boolean
  value?: Literal | SetLiteral
}

/** `file:hashes.'SHA-256'` is `{ objectType: 'file', steps: [key hashes, key SHA-256] }`. */
export interface ObjectPath {
  objectType: string
  steps: PathStep[]
}

export type PathStep = { kind: 'key'; name: string } | { kind: 'index'; index: number | '*' }

/** Literal values; binary/hex/timestamp keep the text between the quotes. */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'binary'; value: string }
  | { kind: 'hex'; value: string }
  | { kind: 'timestamp'; value: string }

export interface SetLiteral {
  kind: 'set'
  values: Literal[]
}
