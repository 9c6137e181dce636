import type { TSchema } from '@sinclair/typebox'
import type { PluginDefinitionBase, PluginImplementations, PluginKind } from './types.js'

type Definition<K extends PluginKind, S extends TSchema> = Omit<
  PluginDefinitionBase<K, S, PluginImplementations[K]>,
  'kind'
>

/** Defines a feed-source plugin: it pulls intelligence from a remote source and yields STIX objects. */
export function defineFeedSource<S extends TSchema>(def: Definition<'feed-source', S>) {
  return { ...def, kind: 'feed-source' as const }
}

/** Defines an anonymization-strategy plugin: it rewrites STIX objects for an anonymization level. */
export function defineAnonymizationStrategy<S extends TSchema>(def: Definition<'anonymization-strategy', S>) {
  return { ...def, kind: 'anonymization-strategy' as const }
}

/** Defines an auth-strategy plugin: it turns request credentials into a principal. */
export function defineAuthStrategy<S extends TSchema>(def: Definition<'auth-strategy', S>) {
  return { ...def, kind: 'auth-strategy' as const }
}

/** Defines an exporter plugin: it streams STIX objects out in another format. */
export function defineExporter<S extends TSchema>(def: Definition<'exporter', S>) {
  return { ...def, kind: 'exporter' as const }
}
