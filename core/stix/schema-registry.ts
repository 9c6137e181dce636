import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { projectPath } from '../project-root.js'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { isJsonObject } from './json-object.js'
import { safeRegExp } from './safe-patterns.js'

/** The OASIS schemas vendored with this module (see schemas/LICENSE). */
export const DEFAULT_SCHEMA_DIR = projectPath('core', 'stix', 'schemas')

/** Folders whose schemas each describe one object type, named after the file. */
const TYPE_FOLDERS = ['sdos', 'sros', 'observables']
/** Object types whose schemas live in common/ next to the shared definitions. */
const COMMON_TYPES = ['marking-definition', 'language-content', 'extension-definition']

export interface SchemaRegistry {
  /** One compiled validator per standard STIX type. */
  byType: ReadonlyMap<string, ValidateFunction>
  /** Common properties of SDOs/SROs (requires created/modified): for SDO-like custom objects. */
  sdoCore: ValidateFunction
  /** Common properties of SCOs: for custom objects that carry no created/modified. */
  scoCore: ValidateFunction
}

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return listJsonFiles(path)
    return entry.name.endsWith('.json') ? [path] : []
  })
}

/**
 * Loads every schema once under its `$id`, so the relative `$ref`s between them
 * ("../common/core.json") resolve against those ids, then compiles one validator per type.
 */
export function loadSchemaRegistry(schemaDir: string = DEFAULT_SCHEMA_DIR): SchemaRegistry {
  const ajv = new Ajv2020({
    strict: false,
    // The OASIS patterns are written for non-unicode RegExp semantics.
    unicodeRegExp: false,
    allErrors: true,
    // Errors carry their parent schema, whose title lets us word messages for humans.
    verbose: true,
    // A few OASIS patterns backtrack catastrophically on hostile values (see safe-patterns.ts).
    code: { regExp: safeRegExp },
  })
  addFormats.default(ajv)
  // Internationalised names are legal in STIX; ajv-formats has no IDN support, so accept them.
  ajv.addFormat('idn-hostname', true)
  ajv.addFormat('idn-email', true)

  const idByPath = new Map<string, string>()
  for (const file of listJsonFiles(schemaDir)) {
    const schema: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (!isJsonObject(schema) || typeof schema.$id !== 'string') throw new Error(`STIX schema without $id: ${file}`)
    ajv.addSchema(schema)
    idByPath.set(file, schema.$id)
  }

  const compile = (relativePath: string): ValidateFunction => {
    const id = idByPath.get(join(schemaDir, relativePath))
    const validate = id === undefined ? undefined : ajv.getSchema(id)
    if (!validate) throw new Error(`STIX schema missing from ${schemaDir}: ${relativePath}`)
    return validate
  }

  const byType = new Map<string, ValidateFunction>()
  for (const folder of TYPE_FOLDERS) {
    for (const file of listJsonFiles(join(schemaDir, folder))) {
      byType.set(basename(file, '.json'), compile(join(folder, basename(file))))
    }
  }
  for (const type of COMMON_TYPES) byType.set(type, compile(`common/${type}.json`))

  return {
    byType,
    sdoCore: compile('common/core.json'),
    scoCore: compile('common/cyber-observable-core.json'),
  }
}
