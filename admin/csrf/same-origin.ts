import type { FastifyRequest } from 'fastify'

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Why a console request does not come from the console's own pages, or null when it does. Browsers say where a
 * request comes from: `Sec-Fetch-Site` (current browsers, on https and localhost) and `Origin` (on every POST,
 * same-origin ones included). A page on another port of the same host is `same-site`, not `same-origin`, and
 * is refused: SameSite cookies are sent to it. A state-changing request with neither header came from no
 * browser page (curl, a script) and is refused too; the console's own requests always carry `Origin`.
 */
export function crossOriginReason(req: FastifyRequest, trustedOrigins: readonly string[]): string | null {
  const safe = SAFE_METHODS.has(req.method)
  const site = req.headers['sec-fetch-site']
  // `none`: the user typed the URL or used a bookmark, which only ever makes a GET.
  if (site !== undefined && site !== 'same-origin' && !(safe && site === 'none')) return `Sec-Fetch-Site: ${site}`
  const origin = req.headers.origin
  if (origin !== undefined && !trustedOrigins.includes(origin) && origin !== ownOrigin(req)) return `Origin: ${origin}`
  if (site === undefined && origin === undefined && !safe) return 'neither Origin nor Sec-Fetch-Site'
  return null
}

/**
 * The origin the browser addressed: the Host header (or X-Forwarded-Host behind a trusted proxy) in the form
 * browsers write `Origin` (no default port). PUBLIC_URL's origin is trusted as well, for proxies that rewrite Host.
 */
function ownOrigin(req: FastifyRequest): string | null {
  return URL.parse(`${req.protocol}://${req.host}`)?.origin ?? null
}
