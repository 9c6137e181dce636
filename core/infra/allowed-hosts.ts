import type { FastifyInstance } from 'fastify'
import { AppError } from './errors.js'

/** Liveness and readiness probes address the process by IP (an orchestrator, a load balancer's check). */
const PROBES = new Set(['/healthz', '/readyz'])

/** `host` or `host:port` → its lower-case name (IPv6 keeps its brackets, a trailing dot goes) and port. */
function splitHost(host: string): { name: string; port: string | undefined } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host.toLowerCase())
  return match ? { name: match[1].replace(/\.$/, ''), port: match[2] } : null
}

/** Whether `host` (a request's Host) is one of `allowed` (entries `name` match any port, `name:port` that port only). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const got = splitHost(host)
  if (!got) return false
  return allowed.some((entry) => {
    const want = splitHost(entry)
    return want !== null && want.name === got.name && (want.port === undefined || want.port === got.port)
  })
}

/**
 * `CRISP_ALLOWED_HOSTS`: a request addressed to any other host (`req.host`: the Host header, or
 * X-Forwarded-Host from a trusted proxy) is answered 421 before anything else runs — links and redirects the
 * platform builds from the request's host then cannot point elsewhere (DNS rebinding, poisoned caches).
 * /healthz and /readyz answer whatever the host.
 */
export function installAllowedHosts(app: FastifyInstance, allowed: readonly string[]): void {
  if (!allowed.length) return
  app.addHook('onRequest', async (req) => {
    if (PROBES.has((req.raw.url ?? '').split('?', 1)[0])) return
    if (!hostAllowed(req.host, allowed)) {
      throw new AppError(
        421,
        'CRISP_HOST_NOT_ALLOWED',
        `This server does not answer for host ${JSON.stringify(req.host.slice(0, 100))} (CRISP_ALLOWED_HOSTS)`,
      )
    }
  })
}
