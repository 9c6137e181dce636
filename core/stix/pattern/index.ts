import { parsePattern } from './parser.js'

export type * from './ast.js'
export { PatternSyntaxError } from './errors.js'
export { formatPattern } from './format.js'
export { parsePattern } from './parser.js'
export { listComparisons, mapComparisons } from './walk.js'

/** True when `text` is a syntactically valid STIX 2.1 pattern. */
export function isValidPattern(text: string): boolean {
  try {
    parsePattern(text)
    return true
  } catch {
    return false
  }
}
