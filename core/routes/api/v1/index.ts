import type { FastifyPluginAsync } from 'fastify'
import { pluginRoutes } from './plugins.js'
import { collectionRoutes } from './collections.js'
import { objectRoutes } from './objects.js'
import { indicatorRoutes } from './indicators.js'
import { feedRoutes } from './feeds.js'
import { authRoutes } from './auth.js'
import { apiKeyRoutes } from './api-keys.js'
import { organizationRoutes } from './organizations.js'
import { userRoutes } from './users.js'
import { trustLevelRoutes } from './trust-levels.js'
import { trustRelationshipRoutes } from './trust-relationships.js'
import { auditRoutes } from './audit.js'
import { exportRoutes } from './exports.js'
import { eventRoutes } from './events.js'
import { alertRoutes } from './alerts.js'

/** Every `/api/v1` route module, each an encapsulated plugin. */
export const apiV1Routes: FastifyPluginAsync = async (app) => {
  await app.register(pluginRoutes)
  await app.register(collectionRoutes)
  await app.register(objectRoutes)
  await app.register(indicatorRoutes)
  await app.register(feedRoutes)
  await app.register(authRoutes)
  await app.register(apiKeyRoutes)
  await app.register(organizationRoutes)
  await app.register(userRoutes)
  await app.register(trustLevelRoutes)
  await app.register(trustRelationshipRoutes)
  await app.register(auditRoutes)
  await app.register(exportRoutes)
  await app.register(eventRoutes)
  await app.register(alertRoutes)
}
