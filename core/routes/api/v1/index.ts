import type { FastifyPluginAsync } from 'fastify'
import { pluginRoutes } from './plugins.js'

/** Every `/api/v1` route module, each an encapsulated plugin. */
export const apiV1Routes: FastifyPluginAsync = async (app) => {
  await app.register(pluginRoutes)
}
