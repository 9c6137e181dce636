import { isStixObjectLike, type StixObject } from './types.js'

/**
 * A stored or released object's JSON text, parsed. The text was validated on its way in (or made by an
 * anonymization strategy from such an object): the shape check only gives the parsed value its type, and fails
 * loudly on a corrupt row rather than handing a strategy or a serializer something that is not an object.
 */
export function parseStixText(text: string): StixObject {
  const value: unknown = JSON.parse(text)
  if (!isStixObjectLike(value)) throw new Error('stored STIX text is not an object with a string type and id')
  return value
}
