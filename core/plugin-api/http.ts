/**
 * The outbound HTTP client the core lends to plugins (`ctx.http`). Plugins make every request through it,
 * never with `fetch` or `node:http` of their own: it is where the platform's egress policy is enforced.
 */

export interface HttpGetOptions {
  url: string
  headers?: Record<string, string>
  /** The run's signal: aborting it cancels the request and ends the body. */
  signal: AbortSignal
  /**
   * Longest silence from the remote, in milliseconds: for the response headers, then for each body chunk,
   * not the whole transfer. The timer is paused while the caller holds a chunk, so a slow consumer (the core
   * writing a batch) never trips it.
   */
  timeoutMs: number
}

export interface HttpResponse {
  status: number
  headers: Headers
  /** The body as it arrives (decompressed); throws SourceUnavailableError on timeout, SourceDataError when cut short. */
  chunks(): AsyncGenerator<Uint8Array>
  /** The whole body parsed as JSON; SourceDataError when it does not parse. */
  json(): Promise<unknown>
}

/**
 * GETs URLs under the platform's egress policy. Every address connected to is checked (a literal one before
 * connecting, a host name on each address it resolves to, at connection time so DNS rebinding cannot slip
 * through), and redirects are followed by the client itself, each hop checked again, at most five.
 * Credentials never follow a redirect to another origin: only `Accept` is sent there.
 *
 * Failures arrive already split the way the core expects: `EgressDeniedError` (a `SourceDataError`: the
 * policy refused), `SourceUnavailableError` (network, timeouts, 408/429/5xx: retried) and `SourceDataError`
 * (other 4xx, truncated bodies, too many redirects: not retried).
 */
export interface HttpClient {
  /** GETs `url`. Resolves for 2xx and 304; throws the mapped error for anything else. */
  get(options: HttpGetOptions): Promise<HttpResponse>
}

/** `https://user:pw@host/path?q` → `https://host/path`: error messages must not leak credentials. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '<invalid url>'
  }
}
