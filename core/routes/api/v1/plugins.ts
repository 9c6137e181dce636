import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { errorResponses, security } from './schemas.js'

const PluginInfo = Type.Object({
  kind: Type.String(),
  id: Type.String(),
  version: Type.String(),
  description: Type.String(),
  source: Type.String({ description: '"builtin" or the package/path it was loaded from' }),
})

export const pluginRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/plugins',
    {
      preHandler: requirePermission('plugins:read'),
      schema: {
        tags: ['plugins'],
        summary: 'Loaded plugins (all of them: a short list, never paged)',
        security,
        response: { 200: Type.Object({ items: Type.Array(PluginInfo) }), ...errorResponses },
      },
    },
    async () => ({
      items: app.registry
        .list()
        .map(({ kind, id, version, description, source }) => ({ kind, id, version, description, source })),
    }),
  )
}
