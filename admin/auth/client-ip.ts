import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'

/**
 * AdminJS hands actions a copy of the Fastify request without its `ip` getter, so the console remembers each
 * request's client IP (as Fastify resolved it, honouring trustProxy) by its raw message, for audit entries.
 */
const clientIps = new WeakMap<IncomingMessage, string>()

export function rememberClientIps(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (req) => {
    clientIps.set(req.raw, req.ip)
  })
}

export function clientIpOf(request: { raw?: IncomingMessage }): string | undefined {
  return request.raw ? clientIps.get(request.raw) : undefined
}
