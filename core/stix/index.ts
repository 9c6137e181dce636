export * from './ids.js';
export * from './pattern/index.js';
export * from './timestamps.js';
export * from './types.js';
export { createStixValidator, getDefaultValidator } from './validator.js';
export type { StixValidator, StixValidatorOptions, ValidationIssue, ValidationResult } from './validator.js';
export { canonicalJson } from './canonical-json.js';
