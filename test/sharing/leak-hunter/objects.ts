/**
 * Generated objects as fast-check arbitraries: one object of a given type with the canaries planted in it,
 * retried until it passes the store's validation (core/stix/validator.ts) so every leak found is one a
 * producer could really cause.
 */
import fc from 'fast-check'
import { getDefaultValidator } from '../../../core/stix/validator.js'
import type { Planted } from './canaries.js'
import { genTopObject } from './generate.js'
import { fcDraw, Planter, type Draw } from './planter.js'
import { CanaryValues } from './values.js'

export interface Generated {
  type: string
  object: Record<string, unknown>
  planted: Planted[]
  /** False when no attempt passed validation (then the last attempt is used). */
  valid: boolean
  errors?: string
}

const ATTEMPTS = 8

/** `saltMix` keeps canary values apart between objects generated for one database (the e2e layer). */
export function generateObject(type: string, d: Draw, saltMix = 0): Generated {
  const salt = (d.seed() ^ saltMix) >>> 0
  let last: Generated | undefined
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const p = new Planter(d, new CanaryValues(salt + attempt * 7919))
    const object = genTopObject(type, p)
    const result = getDefaultValidator().validate(object)
    if (result.ok) return { type, object, planted: p.planted, valid: true }
    last = {
      type,
      object,
      planted: p.planted,
      valid: false,
      errors: result.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    }
  }
  return last as Generated
}

/** Objects of `type` (fast-check shrinks a failing one by simplifying the generator's choices). */
export function objectArbitrary(type: string, saltMix = 0): fc.Arbitrary<Generated> {
  return fc.gen().map((g) => generateObject(type, fcDraw(g), saltMix), undefined)
}
