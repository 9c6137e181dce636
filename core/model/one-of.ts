import { Type, type SchemaOptions, type TLiteral, type TUnion } from '@sinclair/typebox'

/**
 * Narrows a value to one word of an `as const` vocabulary: the check that lets input reach a typed column
 * without a cast (`list.includes(v)` would need `v` typed as the vocabulary already).
 */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return list.some((word) => word === value)
}

/**
 * The TypeBox schema of an `as const` vocabulary: a union of literals, so validation errors and the OpenAPI
 * document list every word, and its static type is the vocabulary's own. The members are typed as a non-empty
 * tuple: the static types of TypeBox and of Fastify's type provider (TypeBox 1, which reads the schema's JSON
 * shape) both read a union's members as a tuple, and see `never` in a plain array.
 */
export function literalUnion<T extends string>(
  list: readonly T[],
  options?: SchemaOptions,
): TUnion<[TLiteral<T>, ...TLiteral<T>[]]> {
  const [first, ...rest] = list
  if (first === undefined) throw new Error('a vocabulary has at least one word')
  return Type.Union([Type.Literal(first), ...rest.map((word) => Type.Literal(word))], options)
}
