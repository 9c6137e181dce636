import fp from 'fastify-plugin'
import type { PluginRegistry } from './registry.js'

declare module 'fastify' {
  interface FastifyInstance {
    registry: PluginRegistry
  }
}

/** Exposes the registry (created before the app, so boot fails before anything listens) to routes. */
export const registryPlugin = fp(
  async (app, opts: { registry: PluginRegistry }) => {
    app.decorate('registry', opts.registry)
  },
  { name: 'crisp-registry' },
)
