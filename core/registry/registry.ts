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
import { checkDefinition } from './validate-definition.js'
import { validatePluginConfig } from './validate-config.js'
import { importExternalPlugin } from './load-external.js'

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
  source: 'builtin' | string
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
  definition: AnyPluginDefinition
  source: string
  rawConfig: unknown
}

const keyOf = (kind: string, id: string) => `${kind}:${id}`

async function collectCandidates(opts: CreateRegistryOptions, problems: string[]): Promise<Candidate[]> {
  const entries = opts.pluginsFile.plugins
  const disabled = new Set(entries.filter((e) => e.enabled === false && !e.from).map((e) => keyOf(e.kind ?? '', e.id ?? '')))
  const builtinConfig = new Map(entries.filter((e) => !e.from).map((e) => [keyOf(e.kind ?? '', e.id ?? ''), e.config]))
  for (const e of entries) {
    if (!e.from && !opts.builtins.some((b) => keyOf(b.kind, b.id) === keyOf(e.kind ?? '', e.id ?? ''))) {
      problems.push(`plugins file: no built-in plugin ${keyOf(e.kind ?? '?', e.id ?? '?')} (third-party plugins need "from")`)
    }
  }
  const candidates: Candidate[] = opts.builtins
    .filter((b) => !disabled.has(keyOf(b.kind, b.id)))
    .map((definition) => ({ definition, source: 'builtin', rawConfig: builtinConfig.get(keyOf(definition.kind, definition.id)) }))
  for (const entry of entries.filter((e) => e.from && e.enabled !== false)) {
    const { definition, problem } = await importExternalPlugin(entry.from as string, opts.baseDir)
    if (problem) problems.push(problem)
    else candidates.push({ definition: definition as AnyPluginDefinition, source: entry.from as string, rawConfig: entry.config })
  }
  return candidates
}

function checkCandidates(candidates: Candidate[], problems: string[]): Candidate[] {
  const seen = new Map<string, string>()
  const valid: Candidate[] = []
  for (const c of candidates) {
    const defProblems = checkDefinition(c.definition, c.source)
    if (defProblems.length) {
      problems.push(...defProblems)
      continue
    }
    const key = keyOf(c.definition.kind, c.definition.id)
    const first = seen.get(key)
    if (first) {
      problems.push(`${key}: duplicate plugin id (from ${c.source}; already loaded from ${first})`)
      continue
    }
    seen.set(key, c.source)
    valid.push(c)
  }
  return valid
}

function pickDefaults(plugins: LoadedPlugin[], file: PluginsFile, problems: string[]) {
  const anonymizers = plugins.filter((p) => p.kind === 'anonymization-strategy') as LoadedPlugin<'anonymization-strategy'>[]
  const wanted = file.defaults?.['anonymization-strategy'] ?? 'trust-levels'
  const anonymizer = anonymizers.find((p) => p.id === wanted) ?? (file.defaults?.['anonymization-strategy'] ? undefined : anonymizers[0])
  if (!anonymizer) problems.push(`defaults.anonymization-strategy: no anonymization-strategy plugin "${wanted}" is loaded`)
  const auth = plugins.filter((p) => p.kind === 'auth-strategy') as LoadedPlugin<'auth-strategy'>[]
  const order = file.defaults?.['auth-strategies']
  const authOrdered = order
    ? order.map((id) => auth.find((p) => p.id === id) ?? (problems.push(`defaults.auth-strategies: no auth-strategy plugin "${id}" is loaded`), undefined)).filter((p): p is LoadedPlugin<'auth-strategy'> => !!p)
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
  const configured = candidates.filter((c) => c.definition.kind !== 'feed-source').map((c) => {
    const label = keyOf(c.definition.kind, c.definition.id)
    const { config, problems: cfgProblems } = validatePluginConfig(label, c.definition.configSchema, c.rawConfig)
    problems.push(...cfgProblems)
    return { ...c, config, label }
  })
  if (problems.length) throw new PluginLoadError(problems)
  const contexts = createContextFactory(opts)
  const loaded: LoadedPlugin[] = candidates.filter((c) => c.definition.kind === 'feed-source').map((c) => feedSourceEntry(c, contexts))
  for (const c of configured) {
    const create = c.definition.create as (ctx: unknown) => unknown
    try {
      const impl = await create(contexts.plugin(c.label, c.config))
      const { kind, id, version, description } = c.definition
      loaded.push({ kind, id, version, description, source: c.source, impl } as LoadedPlugin)
    } catch (err) {
      problems.push(`${c.label}: create() failed: ${(err as Error).message}`)
    }
  }
  const { anonymizer, authOrdered } = pickDefaults(loaded, opts.pluginsFile, problems)
  if (problems.length || !anonymizer) throw new PluginLoadError(problems)
  return {
    list: () => [...loaded],
    get: <K extends PluginKind>(kind: K, id: string) => loaded.find((p) => p.kind === kind && p.id === id) as LoadedPlugin<K> | undefined,
    byKind: <K extends PluginKind>(kind: K) => loaded.filter((p) => p.kind === kind) as LoadedPlugin<K>[],
    defaultAnonymizer: () => anonymizer,
    authStrategies: () => authOrdered,
    egress: contexts.policy,
  }
}

function feedSourceEntry(c: Candidate, contexts: ReturnType<typeof createContextFactory>): LoadedPlugin<'feed-source'> {
  const { id, version, description, configSchema } = c.definition
  const create = c.definition.create as (ctx: unknown) => FeedSource | Promise<FeedSource>
  const impl: FeedSourceFactory = {
    configSchema,
    create: async (config, access) => create(contexts.feed(keyOf('feed-source', id), config, access)),
  }
  return { kind: 'feed-source', id, version, description, source: c.source, impl }
}
