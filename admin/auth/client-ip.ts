import type { FastifyInstance } from 'fastify'

/**
 * AdminJS hands actions a copy of the Fastify request without its `ip` getter, so the console remembers each
 * request's client IP (as Fastify resolved it, honouring trustProxy) by its raw message, for audit entries.
 */
const clientIps = new WeakMap<object, string>()

export function rememberClientIps(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (req) => {
    clientIps.set(req.raw, req.ip)
  })
}

export function clientIpOf(request: object): string | undefined {
  const raw: unknown = Reflect.get(request, 'raw')
  return typeof raw === 'object' && raw !== null ? clientIps.get(raw) : undefined
}
