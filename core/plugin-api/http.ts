/**
 * HTTP GET for feed sources (a helper of the plugin API): maps every failure to the retryable/non-retryable split the core expects.
 *
 * `timeoutMs` bounds each wait on the remote (for the response headers, then for each body chunk), not the
 * whole transfer: a large feed that keeps flowing is fine, a remote that goes silent is not. The timer is
 * paused while the caller holds a chunk, so a slow consumer (the core writing a batch) never trips it.
 */
import { SourceDataError, SourceUnavailableError } from './errors.js'

export interface HttpGetOptions {
  url: string
  headers?: Record<string, string>
  /** The run's signal: aborting it cancels the request and ends the body. */
  signal: AbortSignal
  /** Longest silence from the remote, in milliseconds. */
  timeoutMs: number
}

export interface HttpResponse {
  status: number
  headers: Headers
  /** The body as it arrives; throws SourceUnavailableError on timeout, SourceDataError when cut short. */
  chunks(): AsyncGenerator<Uint8Array>
  /** The whole body parsed as JSON; SourceDataError when it does not parse. */
  json(): Promise<unknown>
}

class RemoteTimeout extends Error {}

/** A timer that aborts its signal after `ms` of running time; paused while the caller holds data. */
function silenceTimer(ms: number) {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  return {
    signal: controller.signal,
    run() {
      clearTimeout(timer)
      timer = setTimeout(() => controller.abort(new RemoteTimeout()), ms)
    },
    pause() {
      clearTimeout(timer)
    },
  }
}

/** `https://user:pw@host/path?q` → `https://host/path`: error messages must not leak credentials. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '<invalid url>'
  }
}

function statusError(status: number, statusText: string, url: string): Error {
  const where = `HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${redactUrl(url)}`
  if (status === 401 || status === 403) {
    return new SourceDataError(`${where}: the remote refused the credentials, check the feed's authentication`)
  }
  if (status === 408 || status === 429 || status >= 500) return new SourceUnavailableError(`${where}: try again later`)
  return new SourceDataError(where)
}

function failure(err: unknown, timer: { signal: AbortSignal }, run: AbortSignal, ms: number, url: string, phase: string) {
  if (run.aborted) return run.reason
  if (timer.signal.aborted) {
    return new SourceUnavailableError(`no answer from ${redactUrl(url)} within ${ms} ms (${phase})`, { cause: err })
  }
  if (phase === 'body') {
    return new SourceDataError(`the body from ${redactUrl(url)} was cut short (truncated transfer)`, { cause: err })
  }
  const reason = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)
  return new SourceUnavailableError(`cannot reach ${redactUrl(url)}: ${reason}`, { cause: err })
}

/** GETs `url`. Resolves for 2xx and 304; throws the mapped error for anything else. */
export async function httpGet(options: HttpGetOptions): Promise<HttpResponse> {
  const { url, signal, timeoutMs } = options
  signal.throwIfAborted()
  const timer = silenceTimer(timeoutMs)
  const combined = AbortSignal.any([signal, timer.signal])
  timer.run()
  let response: Response
  try {
    response = await fetch(url, { headers: options.headers, signal: combined, redirect: 'follow' })
  } catch (err) {
    throw failure(err, timer, signal, timeoutMs, url, 'waiting for the response')
  } finally {
    timer.pause()
  }
  if (!response.ok && response.status !== 304) {
    await response.body?.cancel().catch(() => undefined)
    throw statusError(response.status, response.statusText, url)
  }

  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!response.body) return
    const reader = response.body.getReader()
    try {
      for (;;) {
        timer.run()
        let step: ReadableStreamReadResult<Uint8Array>
        try {
          step = await reader.read()
        } catch (err) {
          throw failure(err, timer, signal, timeoutMs, url, 'body')
        } finally {
          timer.pause()
        }
        if (step.done) return
        yield step.value
      }
    } finally {
      reader.cancel().catch(() => undefined)
    }
  }

  async function json(): Promise<unknown> {
    const parts: Uint8Array[] = []
    for await (const chunk of chunks()) parts.push(chunk)
    const text = Buffer.concat(parts).toString('utf8')
    try {
      return JSON.parse(text)
    } catch (err) {
      throw new SourceDataError(`the body from ${redactUrl(url)} is not valid JSON: ${(err as Error).message}`)
    }
  }

  return { status: response.status, headers: response.headers, chunks, json }
}
