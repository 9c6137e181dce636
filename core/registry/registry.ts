import type { PluginsFile } from '../../config/plugins-schema.js'
import type { TSchema } from '@sinclair/typebox'
import type {
  AnyPluginDefinition,
  FeedSource,
  PluginImplementations,
  PluginKind,
  PluginLogger,
  PluginServices,
} from '../plugin-api/index.js'
import type { EgressPolicy } from '../plugin-api/egress-policy.js'
import { createContextFactory, type EgressOptions, type FeedAccess } from './plugin-context.js'
import { isLoadableDefinition } from './validate-definition.js'
import { validatePluginConfig } from './validate-config.js'
import { importExternalPlugin } from './load-external.js'
import { errorMessage } from '../plugin-api/thrown.js'

/**
 * Feed sources are configured per feed, not per platform: the registry keeps a factory and each feed run
 * creates its source from the feed's own (validated) config.
 */
export interface FeedSourceFactory {
  configSchema: TSchema
  /**
   * `config` must already be valid against `configSchema` (defaults applied); `create()` may still refuse it,
   * e.g. a local file when `access` does not allow them.
   */
  create(config: unknown, access: FeedAccess): Promise<FeedSource>
}

/** What the registry holds per kind: the plugin's implementation, or a factory for feed sources. */
type RegistryImplementations = Omit<PluginImplementations, 'feed-source'> & { 'feed-source': FeedSourceFactory }

export interface LoadedPlugin<K extends PluginKind = PluginKind> {
  kind: K
  id: string
  version: string
  description: string
  /** `builtin`, or where a third-party plugin was imported from (the plugins file's `from`). */
  source: string
  impl: RegistryImplementations[K]
}

export interface PluginRegistry {
  list(): LoadedPlugin[]
  get<K extends PluginKind>(kind: K, id: string): LoadedPlugin<K> | undefined
  byKind<K extends PluginKind>(kind: K): LoadedPlugin<K>[]
  /** The anonymization strategy the egress pipeline uses. */
  defaultAnonymizer(): LoadedPlugin<'anonymization-strategy'>
  /** Auth strategies in the order they are tried. */
  authStrategies(): LoadedPlugin<'auth-strategy'>[]
  /** The egress policy of every plugin's HTTP client: feed configs are checked against it when saved. */
  egress: EgressPolicy
}

/** Boot refuses to start; the message lists every plugin problem, one per line. */
export class PluginLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`Plugins failed to load:\n  - ${problems.join('\n  - ')}`)
    this.name = 'PluginLoadError'
  }
}

export interface CreateRegistryOptions {
  builtins: readonly AnyPluginDefinition[]
  pluginsFile: PluginsFile
  /** Folder that relative `from` paths in the plugins file are resolved against. */
  baseDir: string
  log: PluginLogger & { child(bindings: object): PluginLogger }
  secrets: { anonymizationKey: string }
  /**
   * Services lent to plugins (see `PluginContext.services`). Omitted by tools that never authenticate
   * (`crisp plugins list`, registry tests): calling them then throws.
   */
  services?: PluginServices
  /** Where plugins' requests and local files may go; omitted, nothing private is reachable and file feeds are off. */
  egress?: EgressOptions
}

interface Candidate {
  definition: unknown
  source: string
  rawConfig: unknown
}

/** A candidate whose definition passed {@link isLoadableDefinition}. */
interface CheckedCandidate extends Candidate {
  definition: AnyPluginDefinition
}

/** The loaded plugins of each kind, in load order. */
type PluginsByKind = { [K in PluginKind]: LoadedPlugin<K>[] }

const keyOf = (kind: string, id: string) => `${kind}:${id}`

async function collectCandidates(opts: CreateRegistryOptions, problems: string[]): Promise<Candidate[]> {
  const entries = opts.pluginsFile.plugins
  const disabled = new Set(
    entries.filter((e) => e.enabled === false && !e.from).map((e) => keyOf(e.kind ?? '', e.id ?? '')),
  )
  const builtinConfig = new Map(entries.filter((e) => !e.from).map((e) => [keyOf(e.kind ?? '', e.id ?? ''), e.config]))
  for (const e of entries) {
    if (!e.from && !opts.builtins.some((b) => keyOf(b.kind, b.id) === keyOf(e.kind ?? '', e.id ?? ''))) {
      problems.push(
        `plugins file: no built-in plugin ${keyOf(e.kind ?? '?', e.id ?? '?')} (third-party plugins need "from")`,
      )
    }
  }
  const candidates: Candidate[] = opts.builtins
    .filter((b) => !disabled.has(keyOf(b.kind, b.id)))
    .map((definition) => ({
      definition,
      source: 'builtin',
      rawConfig: builtinConfig.get(keyOf(definition.kind, definition.id)),
    }))
  for (const { from, enabled, config } of entries) {
    if (!from || enabled === false) continue
    const { definition, problem } = await importExternalPlugin(from, opts.baseDir)
    if (problem) problems.push(problem)
    else candidates.push({ definition, source: from, rawConfig: config })
  }
  return candidates
}

function checkCandidates(candidates: Candidate[], problems: string[]): CheckedCandidate[] {
  const seen = new Map<string, string>()
  const valid: CheckedCandidate[] = []
  for (const { definition, source, rawConfig } of candidates) {
    if (!isLoadableDefinition(definition, source, problems)) continue
    const key = keyOf(definition.kind, definition.id)
    const first = seen.get(key)
    if (first) {
      problems.push(`${key}: duplicate plugin id (from ${source}; already loaded from ${first})`)
      continue
    }
    seen.set(key, source)
    valid.push({ definition, source, rawConfig })
  }
  return valid
}

function pickDefaults(plugins: PluginsByKind, file: PluginsFile, problems: string[]) {
  const anonymizers = plugins['anonymization-strategy']
  const wanted = file.defaults?.['anonymization-strategy'] ?? 'trust-levels'
  const anonymizer =
    anonymizers.find((p) => p.id === wanted) ?? (file.defaults?.['anonymization-strategy'] ? undefined : anonymizers[0])
  if (!anonymizer)
    problems.push(`defaults.anonymization-strategy: no anonymization-strategy plugin "${wanted}" is loaded`)
  const auth = plugins['auth-strategy']
  const order = file.defaults?.['auth-strategies']
  const authOrdered = order
    ? order
        .map(
          (id) =>
            auth.find((p) => p.id === id) ??
            (problems.push(`defaults.auth-strategies: no auth-strategy plugin "${id}" is loaded`), undefined),
        )
        .filter((p): p is LoadedPlugin<'auth-strategy'> => !!p)
    : auth
  return { anonymizer, authOrdered }
}

/**
 * Loads built-in and configured third-party plugins, validates every definition and every config, and
 * creates them. All problems are reported together in one {@link PluginLoadError}.
 */
export async function createRegistry(opts: CreateRegistryOptions): Promise<PluginRegistry> {
  const problems: string[] = []
  const candidates = checkCandidates(await collectCandidates(opts, problems), problems)
  const configured = candidates.map((c) => {
    const label = keyOf(c.definition.kind, c.definition.id)
    // A feed source's config is the feed's own, validated when the feed is saved and when it runs.
    if (c.definition.kind === 'feed-source') return { ...c, config: undefined, label }
    const { config, problems: cfgProblems } = validatePluginConfig(label, c.definition.configSchema, c.rawConfig)
    problems.push(...cfgProblems)
    return { ...c, config, label }
  })
  if (problems.length) throw new PluginLoadError(problems)
  const contexts = createContextFactory(opts)
  const plugins: PluginsByKind = { 'feed-source': [], 'anonymization-strategy': [], 'auth-strategy': [], exporter: [] }
  const all: LoadedPlugin[] = []
  const record = <K extends PluginKind>(entry: LoadedPlugin<K>) => {
    plugins[entry.kind].push(entry)
    all.push(entry)
  }
  // Feed sources first, as `list()` has always shown them; they are created per feed run, not here.
  for (const { definition, source } of configured) {
    if (definition.kind === 'feed-source') record(feedSourceEntry(definition, source, contexts))
  }
  for (const { definition: def, source, config, label } of configured) {
    if (def.kind === 'feed-source') continue
    try {
      const ctx = contexts.plugin(label, config)
      const { id, version, description } = def
      // One case per kind: each narrows `def`, so its `create` returns that kind's implementation.
      switch (def.kind) {
        case 'anonymization-strategy':
          record({ kind: def.kind, id, version, description, source, impl: await def.create(ctx) })
          break
        case 'auth-strategy':
          record({ kind: def.kind, id, version, description, source, impl: await def.create(ctx) })
          break
        case 'exporter':
          record({ kind: def.kind, id, version, description, source, impl: await def.create(ctx) })
          break
      }
    } catch (err) {
      problems.push(`${label}: create() failed: ${errorMessage(err)}`)
    }
  }
  const { anonymizer, authOrdered } = pickDefaults(plugins, opts.pluginsFile, problems)
  if (problems.length || !anonymizer) throw new PluginLoadError(problems)
  return {
    list: () => [...all],
    get: <K extends PluginKind>(kind: K, id: string) => plugins[kind].find((p) => p.id === id),
    byKind: <K extends PluginKind>(kind: K) => [...plugins[kind]],
    defaultAnonymizer: () => anonymizer,
    authStrategies: () => authOrdered,
    egress: contexts.policy,
  }
}

type FeedSourceDefinition = Extract<AnyPluginDefinition, { kind: 'feed-source' }>

function feedSourceEntry(
  definition: FeedSourceDefinition,
  source: string,
  contexts: ReturnType<typeof createContextFactory>,
): LoadedPlugin<'feed-source'> {
  const { id, version, description, configSchema } = definition
  const impl: FeedSourceFactory = {
    configSchema,
    create: async (config, access) => definition.create(contexts.feed(keyOf('feed-source', id), config, access)),
  }
  return { kind: 'feed-source', id, version, description, source, impl }
}
