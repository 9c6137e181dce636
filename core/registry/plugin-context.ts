import type { LocalFiles, PluginContext, PluginLogger, PluginServices } from '../plugin-api/index.js'
import { createEgressPolicy, type EgressPolicy } from '../plugin-api/egress-policy.js'
import { createHttpClient, type Resolver } from '../plugin-api/http-client.js'
import { createLocalFiles } from '../plugin-api/local-files.js'

/** Where plugins may reach: CRISP_FEED_ALLOW_PRIVATE and CRISP_FEED_FILES_DIR, as the config validated them. */
export interface EgressOptions {
  /** CIDR ranges admitted although they are private, loopback, link-local… */
  allowPrivate: readonly string[]
  /** The feed files folder; undefined = file feeds disabled. */
  filesDir?: string
  /** Host name resolver (default: the system's); tests give made-up names chosen addresses. */
  resolve?: Resolver
}

/** What a feed's source may do besides HTTP, decided by who sets the feed up. */
export interface FeedAccess {
  /** Read files of the feed files folder: feeds set up by a platform admin, and runs of saved feeds. */
  localFiles: boolean
}

export interface ContextOptions {
  log: PluginLogger & { child(bindings: object): PluginLogger }
  secrets: { anonymizationKey: string }
  services?: PluginServices
  egress?: EgressOptions
}

const unavailable = async (): Promise<never> => {
  throw new Error('identity services are not available in this process')
}
const NO_SERVICES: PluginServices = {
  identity: { verifyAccessToken: unavailable, verifyPassword: unavailable, verifyApiKey: unavailable },
}

/**
 * Builds every plugin's context around one HTTP client and one egress policy. Without `egress` nothing
 * private is reachable and file feeds are disabled: forgetting the option can only make the platform stricter.
 */
export function createContextFactory(options: ContextOptions) {
  const egress = options.egress ?? { allowPrivate: [] }
  const policy: EgressPolicy = createEgressPolicy(egress)
  const http = createHttpClient({ policy, resolve: egress.resolve })
  const notForThisKind = createLocalFiles({ dir: undefined, refusal: 'local files are only lent to feed sources' })

  const context = <C>(label: string, config: C, files: LocalFiles): PluginContext<C> => ({
    config: Object.freeze(config),
    log: options.log.child({ plugin: label }),
    secrets: options.secrets,
    services: options.services ?? NO_SERVICES,
    http,
    files,
  })

  return {
    policy,
    /** The context of a plugin of any kind but feed-source, created once at boot. */
    plugin: <C>(label: string, config: C) => context(label, config, notForThisKind),
    /** The context of one feed's source: its own config, and local files only when `access` allows them. */
    feed: <C>(label: string, config: C, access: FeedAccess) =>
      context(
        label,
        config,
        createLocalFiles({
          dir: egress.filesDir,
          refusal: access.localFiles ? undefined : 'only platform admins may set up feeds that read local files',
        }),
      ),
  }
}
