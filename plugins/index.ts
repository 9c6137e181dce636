import type { AnyPluginDefinition } from '../core/plugin-api/index.js'
import authPassword from './auth-password/index.js'
import authApiKey from './auth-api-key/index.js'

/** The built-in plugins, loaded unless disabled in the plugins file. Auth strategies are tried in this order. */
export const builtinPlugins: readonly AnyPluginDefinition[] = [authPassword, authApiKey]
