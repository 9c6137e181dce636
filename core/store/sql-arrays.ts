import type { Knex } from 'knex'

/**
 * One column of a batch as a single PostgreSQL array parameter, NULL elements included. node-postgres sends a JS
 * array holding nulls as an SQL array with NULLs, but knex's `RawBinding` type lists only arrays without null:
 * this is the one place that says so to the compiler (a type-level gap, nothing is converted).
 */
export function nullableArray(values: readonly (string | null)[]): Knex.RawBinding {
  return values as Knex.RawBinding
}
