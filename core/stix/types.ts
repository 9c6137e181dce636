import { isJsonObject } from './json-object.js'

/** Any STIX 2.1 object (SDO, SRO, SCO, marking, custom). Properties beyond the core are open. */
export interface StixObject {
  type: string
  id: string
  spec_version?: string
  created?: string
  modified?: string
  [key: string]: unknown
}

/** The STIX 2.1 bundle envelope; it is not itself a STIX object and has no spec_version. */
export interface StixBundle {
  type: 'bundle'
  id: string
  objects: StixObject[]
  [key: string]: unknown
}

/**
 * Shape check only (object with string `type` and `id`), used to route input before schema
 * validation; it does not mean the object is valid.
 */
export function isStixObjectLike(value: unknown): value is StixObject {
  return isJsonObject(value) && typeof value.type === 'string' && typeof value.id === 'string'
}

/** Shape check for a bundle: `type: 'bundle'`, a string id and an `objects` array. */
export function isStixBundleLike(value: unknown): value is StixBundle {
  return isStixObjectLike(value) && value.type === 'bundle' && Array.isArray(value.objects)
}
