import type { AnyPluginDefinition } from '../core/plugin-api/index.js'

/** The built-in plugins, loaded unless disabled in the plugins file. */
export const builtinPlugins: readonly AnyPluginDefinition[] = []
