import { Kind } from '@sinclair/typebox'
import { PLUGIN_API_VERSION, PLUGIN_ID_PATTERN, type AnyPluginDefinition, type PluginKind } from '../plugin-api/index.js'

const PLUGIN_KINDS: readonly PluginKind[] = ['feed-source', 'anonymization-strategy', 'auth-strategy', 'exporter']

/**
 * Checks that a module's default export is a plugin definition this core can load. Returns the problems found,
 * each prefixed with where the plugin came from, so one boot error can list them all.
 */
export function checkDefinition(candidate: unknown, origin: string): string[] {
  if (typeof candidate !== 'object' || candidate === null) return [`${origin}: default export is not a plugin definition object`]
  const def = candidate as Partial<AnyPluginDefinition> & Record<string, unknown>
  const label = `${String(def.kind ?? '?')}:${String(def.id ?? '?')} (${origin})`
  const problems: string[] = []
  if (!PLUGIN_KINDS.includes(def.kind as PluginKind)) {
    problems.push(`${label}: kind must be one of ${PLUGIN_KINDS.join(', ')}`)
  }
  if (typeof def.id !== 'string' || !PLUGIN_ID_PATTERN.test(def.id)) {
    problems.push(`${label}: id must be kebab-case (${PLUGIN_ID_PATTERN})`)
  }
  if (def.apiVersion !== PLUGIN_API_VERSION) {
    problems.push(`${label}: apiVersion ${JSON.stringify(def.apiVersion)} is not supported (this core implements ${PLUGIN_API_VERSION})`)
  }
  if (typeof def.version !== 'string' || !/^\d+\.\d+\.\d+/.test(def.version)) problems.push(`${label}: version must be semver`)
  if (typeof def.description !== 'string' || def.description.trim() === '') problems.push(`${label}: description is required`)
  if (typeof def.configSchema !== 'object' || def.configSchema === null || !(Kind in def.configSchema)) {
    problems.push(`${label}: configSchema must be a TypeBox schema`)
  }
  if (typeof def.create !== 'function') problems.push(`${label}: create must be a function`)
  return problems
}
