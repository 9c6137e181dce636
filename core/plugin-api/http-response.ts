/**
 * The response half of the HTTP client: the silence timer, the body as chunks, and the mapping of every
 * failure to the retryable / non-retryable split the core expects.
 */
import type { IncomingMessage } from 'node:http'
import { pipeline, type Readable, type Transform } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { SourceDataError, SourceUnavailableError } from './errors.js'
import { redactUrl, type HttpResponse } from './http.js'
import { errorCode, errorMessage } from './thrown.js'

class RemoteTimeout extends Error {}

/** A timer that aborts its signal after `ms` of running time; paused while the caller holds data. */
export function silenceTimer(ms: number) {
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

/** One request in flight: what error messages and the timer need. */
export interface Exchange {
  url: string
  /** The caller's (run's) signal. */
  run: AbortSignal
  timer: ReturnType<typeof silenceTimer>
  timeoutMs: number
}

/** A non-2xx/304 status as the error the core expects: 401/403/4xx not retried, 408/429/5xx retried. */
export function statusError(status: number, statusText: string, url: string): Error {
  const where = `HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${redactUrl(url)}`
  if (status === 401 || status === 403) {
    return new SourceDataError(`${where}: the remote refused the credentials, check the feed's authentication`)
  }
  if (status === 408 || status === 429 || status >= 500) return new SourceUnavailableError(`${where}: try again later`)
  return new SourceDataError(where)
}

/**
 * A transport failure as the error the core expects: the run's own abort as is, a silent remote retried, a body
 * cut short or undecodable not retried, an unreachable remote retried.
 */
export function failure(err: unknown, at: Exchange, phase: 'headers' | 'body'): unknown {
  if (at.run.aborted) return at.run.reason
  if (at.timer.signal.aborted) {
    const waiting = phase === 'body' ? 'body' : 'waiting for the response'
    // Real servers can be slow (the OASIS TAXII reference server takes 45–80 s for a first page): say what to change.
    return new SourceUnavailableError(
      `no answer from ${redactUrl(at.url)} within ${at.timeoutMs} ms (${waiting}); a slow server needs a larger timeoutMs in the feed's config`,
      { cause: err },
    )
  }
  if (phase === 'body') {
    const broken = errorCode(err)?.startsWith('Z_') === true
    const what = broken ? 'does not decompress' : 'was cut short (truncated transfer)'
    return new SourceDataError(`the body from ${redactUrl(at.url)} ${what}`, { cause: err })
  }
  return new SourceUnavailableError(`cannot reach ${redactUrl(at.url)}: ${errorMessage(err)}`, { cause: err })
}

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
}

/** The body, decompressed when the server compressed it (the client asks for gzip, deflate or br). */
function decoded(res: IncomingMessage): Readable {
  const decoder = DECODERS[(res.headers['content-encoding'] ?? '').trim().toLowerCase()]
  if (!decoder) return res
  const body = decoder()
  // pipeline destroys every stage with the first error, so a cut transfer still surfaces from the decoder.
  pipeline(res, body, () => undefined)
  return body
}

/** Wraps a 2xx/304 response; the timer runs again while the caller waits for each chunk. */
export function toHttpResponse(res: IncomingMessage, at: Exchange): HttpResponse {
  const headers = new Headers()
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1])

  async function* chunks(): AsyncGenerator<Uint8Array> {
    const body = decoded(res)
    const reader = body[Symbol.asyncIterator]()
    try {
      for (;;) {
        at.timer.run()
        let step: IteratorResult<Uint8Array>
        try {
          step = await reader.next()
        } catch (err) {
          throw failure(err, at, 'body')
        } finally {
          at.timer.pause()
        }
        if (step.done) return
        yield step.value
      }
    } finally {
      body.destroy()
      res.destroy()
    }
  }

  async function json(): Promise<unknown> {
    const parts: Uint8Array[] = []
    for await (const chunk of chunks()) parts.push(chunk)
    const text = Buffer.concat(parts).toString('utf8')
    try {
      return JSON.parse(text)
    } catch (err) {
      throw new SourceDataError(`the body from ${redactUrl(at.url)} is not valid JSON: ${errorMessage(err)}`)
    }
  }

  return { status: res.statusCode ?? 0, headers, chunks, json }
}
