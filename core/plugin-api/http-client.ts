/**
 * The core's outbound HTTP client (see {@link HttpClient}). Built by the registry and lent to plugins as
 * `ctx.http`; not exported from the plugin API's index, so a plugin cannot build one with a policy of its own.
 *
 * Built on `node:http`/`node:https` rather than `fetch` because the address check must happen on the very
 * address the socket connects to: a custom `lookup` on the agents refuses a host name as soon as it resolves
 * to a refused address, so a name that resolves to a public address for a check and to 127.0.0.1 for the
 * connection (DNS rebinding) is refused on the connection. Literal addresses never reach `lookup` (net skips
 * it), so they are checked before the request; redirects are followed here, each hop checked again.
 */
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { lookup as systemLookup } from 'node:dns/promises'
import type { LookupFunction } from 'node:net'
import { EgressDeniedError, SourceDataError } from './errors.js'
import { ALLOW_HINT, type EgressPolicy } from './egress-policy.js'
import { redactUrl, type HttpClient, type HttpGetOptions, type HttpResponse } from './http.js'
import { failure, silenceTimer, statusError, toHttpResponse, type Exchange } from './http-response.js'

/** Resolves a host name to every address it has. Tests inject one to give made-up names chosen addresses. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>

/** What the client enforces, and how it resolves names. */
export interface HttpClientOptions {
  policy: EgressPolicy
  /** Default: the system resolver (`dns.lookup`, every address). */
  resolve?: Resolver
}

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** A `lookup` for sockets that refuses the host when any of its addresses is refused. */
function checkedLookup(policy: EgressPolicy, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((addresses) => {
        for (const { address } of addresses) {
          const reason = policy.refusal(address)
          if (reason) throw new EgressDeniedError(`${hostname} resolves to ${address}, ${reason}; ${ALLOW_HINT}`)
        }
        const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses
        if (!usable.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
        if (options.all) callback(null, usable)
        else callback(null, usable[0].address, usable[0].family)
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, ''))
  }
}

function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base)
  } catch {
    throw new SourceDataError(`not a valid URL: ${JSON.stringify(redactUrl(text))}`)
  }
}

/** Across origins only `Accept` follows a redirect: credentials stay with the origin they were meant for. */
function headersFor(next: URL, previous: URL, headers: Record<string, string>): Record<string, string> {
  if (next.origin === previous.origin) return headers
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() === 'accept'))
}

/** The client the registry lends to every plugin as `ctx.http`. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const lookup = checkedLookup(
    options.policy,
    options.resolve ?? ((host) => systemLookup(host, { all: true, verbatim: true })),
  )
  // Own agents, so no socket connected without the check (e.g. by another part of the process) is reused.
  const agents = { http: new http.Agent({ lookup }), https: new https.Agent({ lookup }) }

  function send(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:'
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { 'accept-encoding': 'gzip, deflate, br', ...headers },
          agent: secure ? agents.https : agents.http,
          signal,
        },
        resolve,
      )
      request.on('error', reject)
      request.end()
    })
  }

  async function get(request: HttpGetOptions): Promise<HttpResponse> {
    request.signal.throwIfAborted()
    const timer = silenceTimer(request.timeoutMs)
    const signal = AbortSignal.any([request.signal, timer.signal])
    let url = parseUrl(request.url)
    let headers = request.headers ?? {}
    for (let hop = 0; ; hop++) {
      const refused = (reason: string) =>
        new EgressDeniedError(hop ? `redirect to ${redactUrl(url)}: ${reason}` : reason)
      const problem = options.policy.urlProblem(url)
      if (problem) throw refused(problem)
      const at: Exchange = { url: url.href, run: request.signal, timer, timeoutMs: request.timeoutMs }
      let res: IncomingMessage
      timer.run()
      try {
        res = await send(url, headers, signal)
      } catch (err) {
        throw err instanceof EgressDeniedError ? refused(err.reason) : failure(err, at, 'headers')
      } finally {
        timer.pause()
      }
      const status = res.statusCode ?? 0
      if (REDIRECTS.has(status) && res.headers.location) {
        res.destroy()
        if (hop === MAX_REDIRECTS)
          throw new SourceDataError(`more than ${MAX_REDIRECTS} redirects from ${redactUrl(request.url)}`)
        const next = parseUrl(res.headers.location, url)
        headers = headersFor(next, url, headers)
        url = next
        continue
      }
      if (status < 200 || (status >= 300 && status !== 304)) {
        res.destroy()
        throw statusError(status, res.statusMessage ?? '', url.href)
      }
      return toHttpResponse(res, at)
    }
  }

  return { get }
}
