import { Kind } from '@sinclair/typebox'
import { PLUGIN_API_VERSION, PLUGIN_ID_PATTERN, PLUGIN_KINDS, type AnyPluginDefinition } from '../plugin-api/index.js'
import { isOneOf } from '../model/one-of.js'
import { isJsonObject } from '../stix/json-object.js'

/**
 * Whether a module's default export is a plugin definition this core can load; each problem found is added to
 * `problems`, prefixed with where the plugin came from, so one boot error can list them all. Only `create`'s
 * signature escapes the check: calling it is the only way to know.
 */
export function isLoadableDefinition(
  candidate: unknown,
  origin: string,
  problems: string[],
): candidate is AnyPluginDefinition {
  if (!isJsonObject(candidate)) {
    problems.push(`${origin}: default export is not a plugin definition object`)
    return false
  }
  const def = candidate
  const before = problems.length
  const label = `${String(def.kind ?? '?')}:${String(def.id ?? '?')} (${origin})`
  if (!isOneOf(PLUGIN_KINDS, def.kind)) {
    problems.push(`${label}: kind must be one of ${PLUGIN_KINDS.join(', ')}`)
  }
  if (typeof def.id !== 'string' || !PLUGIN_ID_PATTERN.test(def.id)) {
    problems.push(`${label}: id must be kebab-case (${PLUGIN_ID_PATTERN})`)
  }
  if (def.apiVersion !== PLUGIN_API_VERSION) {
    problems.push(
      `${label}: apiVersion ${JSON.stringify(def.apiVersion)} is not supported (this core implements ${PLUGIN_API_VERSION})`,
    )
  }
  if (typeof def.version !== 'string' || !/^\d+\.\d+\.\d+/.test(def.version))
    problems.push(`${label}: version must be semver`)
  if (typeof def.description !== 'string' || def.description.trim() === '')
    problems.push(`${label}: description is required`)
  if (typeof def.configSchema !== 'object' || def.configSchema === null || !(Kind in def.configSchema)) {
    problems.push(`${label}: configSchema must be a TypeBox schema`)
  }
  if (typeof def.create !== 'function') problems.push(`${label}: create must be a function`)
  return problems.length === before
}
