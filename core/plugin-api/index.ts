/**
 * The public contract of CRISP plugins. Plugins import this module and nothing else from the core.
 *
 * A plugin is a plain object made by one of the `define*()` helpers. The registry checks its kind, id,
 * apiVersion and configuration at boot, then calls `create()` once with a {@link PluginContext}.
 *
 * The factories of the HTTP client, the egress policy and local files (`http-client.ts`, `egress-policy.ts`,
 * `local-files.ts`) are deliberately not exported here: plugins get the core's instances in their context.
 */
export type { Static, TSchema } from '@sinclair/typebox'
export { Type } from '@sinclair/typebox'
export * from './types.js'
export * from './define.js'
export * from './errors.js'
export * from './stix.js'
export * from './observable-values.js'
export * from './http.js'
export type { LocalFile, LocalFileInfo, LocalFiles } from './local-files.js'
export * from './stix-build.js'
export * from './observable-build.js'
export * from './tlp.js'
