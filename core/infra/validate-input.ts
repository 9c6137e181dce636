import type { Static, TSchema } from '@sinclair/typebox'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { badRequest } from './errors.js'

/** One refused value: a JSON pointer into the input (`/name`) and what is wrong with it. */
export interface InputProblem {
  path: string
  message: string
}

// Ajv 8 with ajv-formats, as Fastify validates route schemas (@fastify/ajv-compiler): a service refuses exactly
// what its route's schema refuses. No type coercion: callers hand over typed values. Every error at once, so a
// form can mark each field (inputs are small: the services' schemas bound every string). ajv-formats is
// CommonJS: its plugin is the module and, for ESM callers, also its `default` property.
const ajv = addFormats.default(new Ajv({ allErrors: true, strict: false, verbose: true }))
const compiled = new WeakMap<TSchema, ValidateFunction>()

/** The pattern of text that must not be blank; refused as "must not be blank" rather than with the regex. */
export const NOT_BLANK = '\\S'

/** The values of a union of literals (TypeBox's way to write an enum), or null for any other `anyOf`. */
function literalValues(error: ErrorObject): unknown[] | null {
  const members: unknown[] = error.keyword === 'anyOf' && Array.isArray(error.schema) ? error.schema : []
  const values = members.flatMap((m) => (typeof m === 'object' && m !== null && 'const' in m ? [m.const] : []))
  return members.length && values.length === members.length ? values : null
}

function toProblem(error: ErrorObject): InputProblem {
  const { keyword, params, instancePath } = error
  if (keyword === 'required')
    return { path: `${instancePath}/${String(params.missingProperty)}`, message: 'is required' }
  if (keyword === 'additionalProperties')
    return { path: `${instancePath}/${String(params.additionalProperty)}`, message: 'is not a known property' }
  if (keyword === 'pattern' && params.pattern === NOT_BLANK) return { path: instancePath, message: 'must not be blank' }
  const literals =
    literalValues(error) ?? (keyword === 'enum' && Array.isArray(params.allowedValues) ? params.allowedValues : null)
  if (literals) return { path: instancePath, message: `must be one of ${literals.join(', ')}` }
  return { path: instancePath || '/', message: error.message ?? 'is invalid' }
}

/** A union of literals fails once per member ("must be equal to constant") and once as a whole: keep the whole. */
function toProblems(errors: ErrorObject[]): InputProblem[] {
  const unions = new Set(errors.filter(literalValues).map((e) => e.instancePath))
  return errors.filter((e) => !(e.keyword === 'const' && unions.has(e.instancePath))).map(toProblem)
}

// PostgreSQL text cannot hold NUL, and the driver would store an unpaired surrogate as U+FFFD: neither is text
// the platform could give back as it was sent. (With the u flag a lone surrogate is a code point of category Cs.)
const UNSTORABLE = /[\0\p{Cs}]/u

function unstorableText(value: unknown, path: string): InputProblem[] {
  if (typeof value === 'string')
    return UNSTORABLE.test(value)
      ? [{ path: path || '/', message: 'must not contain NUL or unpaired surrogate characters' }]
      : []
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, v]) => unstorableText(v, `${path}/${key}`))
  return []
}

/**
 * Refuses input that does not match a service's schema with a 400 `CRISP_VALIDATION_FAILED`, listing every
 * problem as `details` (`[{ path, message }]`, the shape of a refused route body), and strings the database
 * cannot store as given. Services call it on every input: a route has validated its body already, but the
 * console, the CLI and jobs have not. Properties set to `undefined` count as absent, as they would in JSON.
 */
export function assertInput<T extends TSchema>(schema: T, input: unknown): asserts input is Static<T> {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  const value =
    input && typeof input === 'object' && !Array.isArray(input)
      ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))
      : input
  const problems = validate(value) ? unstorableText(value, '') : toProblems(validate.errors ?? [])
  if (!problems.length) return
  throw badRequest('CRISP_VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems)
}
