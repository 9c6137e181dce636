/**
 * Plugin contexts for tests and tools that create a plugin directly, built by the registry's own factory: the
 * same HTTP client, egress policy and local files a plugin gets on the platform.
 */
import type { PluginContext, PluginLogger, PluginServices } from '../../core/plugin-api/index.js'
import { createContextFactory, type EgressOptions } from '../../core/registry/plugin-context.js'

/** A logger that drops everything: the contract checks behaviour, not log lines. */
export const silentLogger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} }

export interface TestContextOptions {
  log?: PluginLogger
  services?: PluginServices
  /** Default: the platform's default policy (nothing private reachable, no files folder). */
  egress?: EgressOptions
  /** Whether the feed is set up by a platform admin (may read files of `egress.filesDir`). Default true. */
  localFiles?: boolean
}

/** The context the registry gives a feed source (`localFiles`) or any other plugin. */
export function pluginContext<C>(config: C, options: TestContextOptions = {}): PluginContext<C> {
  const log = options.log ?? silentLogger
  const contexts = createContextFactory({
    // The factory only asks its logger for children: every plugin logs to `log`.
    log: { ...silentLogger, child: () => log },
    secrets: { anonymizationKey: 'contract-test-key' },
    services: options.services,
    egress: options.egress,
  })
  return contexts.feed('test', config, { localFiles: options.localFiles ?? true })
}
