import type { FastifyInstance } from 'fastify'

const underConsole = (root: string, rawUrl = '') => {
  const path = rawUrl.split('?', 1)[0]
  return path === root || path.startsWith(`${root}/`)
}

/**
 * Keeps the console to itself. Its routes (pages, JSON API, script bundles) are not the platform's API, so they
 * stay out of the OpenAPI document. Only requests whose path literally starts with `root` reach them:
 * - the router decodes percent-escapes, so `/%61dmin/api/…` matches a console route, while AdminJS decides
 *   who must log in (and the session cookie applies) by the raw path — such a request would skip the login;
 * - AdminJS mounts `POST /refresh-token` at the root; it needs an auth provider the console does not use and
 *   otherwise fails with a 500.
 * Both answer like any unknown path. Register before AdminJS adds its routes and hooks.
 */
export function confineConsoleRoutes(scope: FastifyInstance, root: string): void {
  scope.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true }
  })
  scope.addHook('onRequest', async (req, reply) => {
    if (!underConsole(root, req.raw.url)) return reply.callNotFound()
  })
}
