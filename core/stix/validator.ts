import { parseStixIdentifier } from './ids.js'
import { parsePattern, PatternSyntaxError } from './pattern/index.js'
import { loadSchemaRegistry, type SchemaRegistry } from './schema-registry.js'
import { compareTimestamps, isStixTimestamp } from './timestamps.js'
import { isJsonObject } from './json-object.js'
import { isStixBundleLike, type StixBundle } from './types.js'
import { describeAjvErrors, type ValidationIssue } from './validation-errors.js'

export type ValidationResult = { ok: true } | { ok: false; errors: ValidationIssue[] }

export interface StixValidator {
  /**
   * Validates one STIX object against the OASIS schema of its type, or a bundle envelope and
   * each of its objects (error paths then start with `/objects/<index>`).
   */
  validate(obj: unknown): ValidationResult
}

export interface StixValidatorOptions {
  /** Directory holding the OASIS STIX 2.1 JSON schemas; defaults to the vendored copy. */
  schemaDir?: string
}

const OK: ValidationResult = { ok: true }

/** Checks the JSON schemas cannot express (see the OASIS schema README) or leave to 2.0/2.1. */
function checkBeyondSchema(obj: Record<string, unknown>, custom: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const { type, id, spec_version: specVersion, created, modified } = obj
  if (typeof type !== 'string') {
    issues.push({
      path: '/type',
      message: typeof type === 'undefined' ? "must have required property 'type'" : 'must be string',
    })
  }
  const parsedId = typeof id === 'string' ? parseStixIdentifier(id) : null
  if (typeof id !== 'string') {
    issues.push({
      path: '/id',
      message: typeof id === 'undefined' ? "must have required property 'id'" : 'must be string',
    })
  } else if (!parsedId) {
    issues.push({ path: '/id', message: 'must be an identifier of the form <type>--<UUID>' })
  } else if (typeof type === 'string' && parsedId.type !== type) {
    issues.push({ path: '/id', message: `must start with "${type}--"` })
  } else if (/[A-F]/.test(parsedId.uuid)) {
    // STIX 2.1 §2.9 wants an RFC 4122 UUID, whose hex digits are written in lower case (RFC 4122 §3). Ids are
    // compared as text everywhere (versions, refs, match[id]), so one UUID spelled two ways would be two objects.
    issues.push({ path: '/id', message: 'must write its UUID in lower case (STIX 2.1 §2.9, RFC 4122 §3)' })
  }
  // The schemas accept "2.0" too; this module validates STIX 2.1 content only.
  if (specVersion !== undefined && specVersion !== '2.1') {
    issues.push({ path: '/spec_version', message: 'must be "2.1"' })
  } else if (specVersion === undefined && custom) {
    issues.push({ path: '/spec_version', message: "must have required property 'spec_version'" })
  }
  if (isStixTimestamp(created) && isStixTimestamp(modified) && compareTimestamps(modified, created) < 0) {
    issues.push({ path: '/modified', message: 'must not be earlier than created' })
  }
  if (type === 'indicator' && obj.pattern_type === 'stix' && typeof obj.pattern === 'string') {
    try {
      parsePattern(obj.pattern)
    } catch (error) {
      if (!(error instanceof PatternSyntaxError)) throw error
      issues.push({ path: '/pattern', message: `invalid STIX pattern: ${error.message}` })
    }
  }
  return issues
}

function validateObject(registry: SchemaRegistry, record: unknown): ValidationIssue[] {
  if (!isJsonObject(record)) return [{ path: '', message: 'must be an object' }]
  const known = typeof record.type === 'string' ? registry.byType.get(record.type) : undefined
  // Custom types have no schema of their own: SDO-like ones (with created/modified) get the SDO
  // core schema, anything else the more lenient SCO core schema.
  const sdoLike = 'created' in record || 'modified' in record
  const validate = known ?? (sdoLike ? registry.sdoCore : registry.scoCore)
  const own = checkBeyondSchema(record, known === undefined)
  if (validate(record) && own.length === 0) return []
  const ownPaths = new Set(own.map((issue) => issue.path))
  // Our own checks word type/id/spec_version problems better than the schema does.
  const fromSchema = describeAjvErrors(validate.errors ?? []).filter((issue) => !ownPaths.has(issue.path))
  return [...own, ...fromSchema]
}

function validateBundle(registry: SchemaRegistry, bundle: StixBundle): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const id = typeof bundle.id === 'string' ? parseStixIdentifier(bundle.id) : null
  if (id?.type !== 'bundle') issues.push({ path: '/id', message: 'must be an identifier of the form bundle--<UUID>' })
  bundle.objects.forEach((obj: unknown, index) => {
    for (const issue of validateObject(registry, obj)) {
      issues.push({ path: `/objects/${index}${issue.path}`, message: issue.message })
    }
  })
  return issues
}

export function createStixValidator(options: StixValidatorOptions = {}): StixValidator {
  const registry = loadSchemaRegistry(options.schemaDir)
  return {
    validate(obj) {
      const issues = isStixBundleLike(obj) ? validateBundle(registry, obj) : validateObject(registry, obj)
      return issues.length === 0 ? OK : { ok: false, errors: issues }
    },
  }
}

let defaultValidator: StixValidator | undefined

/** A process-wide validator over the vendored schemas, created on first use (compiling takes ~1 s). */
export function getDefaultValidator(): StixValidator {
  defaultValidator ??= createStixValidator()
  return defaultValidator
}
