/**
 * STIX helpers plugins may use: schema validation, deterministic SCO ids, timestamps and the STIX patterning
 * parser. Re-exported from the core's STIX module so plugins still import only `core/plugin-api`.
 */
export { deterministicScoId, isStixIdentifier } from '../stix/ids.js'
export { isStixTimestamp, toMicrosecondTimestamp, compareTimestamps } from '../stix/timestamps.js'
export {
  parsePattern,
  formatPattern,
  isValidPattern,
  mapComparisons,
  listComparisons,
  PatternSyntaxError,
} from '../stix/pattern/index.js'
export type * from '../stix/pattern/ast.js'
