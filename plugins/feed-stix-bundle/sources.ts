import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { SourceDataError, SourceUnavailableError } from '../../core/plugin-api/index.js'
import { httpGet } from '../../core/plugin-api/index.js'

/** What was fetched, or null when the source has not changed since the checkpoint. */
export interface OpenedBundle {
  chunks: AsyncIterable<Uint8Array>
  /** The checkpoint to store once every object was yielded. */
  checkpoint: string
}

interface HttpValidators {
  etag?: string
  lastModified?: string
}

interface FileValidators {
  mtimeMs?: number
  size?: number
}

function parseCheckpoint<T>(checkpoint: string | null): T {
  if (checkpoint === null) return {} as T
  try {
    return JSON.parse(checkpoint) as T
  } catch {
    return {} as T // an unreadable checkpoint only costs one full download
  }
}

/** Conditional GET: `If-None-Match`/`If-Modified-Since` from the checkpoint; null on 304. */
export async function openHttpBundle(options: {
  url: string
  headers: Record<string, string>
  checkpoint: string | null
  signal: AbortSignal
  timeoutMs: number
}): Promise<OpenedBundle | null> {
  const previous = parseCheckpoint<HttpValidators>(options.checkpoint)
  const headers: Record<string, string> = { accept: 'application/stix+json, application/json', ...options.headers }
  if (previous.etag) headers['if-none-match'] = previous.etag
  if (previous.lastModified) headers['if-modified-since'] = previous.lastModified
  const response = await httpGet({ url: options.url, headers, signal: options.signal, timeoutMs: options.timeoutMs })
  if (response.status === 304) return null
  const next: HttpValidators = {}
  const etag = response.headers.get('etag')
  const lastModified = response.headers.get('last-modified')
  if (etag) next.etag = etag
  if (lastModified) next.lastModified = lastModified
  return { chunks: response.chunks(), checkpoint: JSON.stringify(next) }
}

/** Reads a local bundle; null when its mtime and size equal the checkpoint's. */
export async function openFileBundle(options: {
  path: string
  checkpoint: string | null
  signal: AbortSignal
}): Promise<OpenedBundle | null> {
  const { path, signal } = options
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw fileError(err, path)
  })
  if (!info.isFile()) throw new SourceDataError(`${path} is not a regular file`)
  const previous = parseCheckpoint<FileValidators>(options.checkpoint)
  if (previous.mtimeMs === info.mtimeMs && previous.size === info.size) return null
  const checkpoint = JSON.stringify({ mtimeMs: info.mtimeMs, size: info.size })
  return { chunks: readFile(path, signal), checkpoint }
}

async function* readFile(path: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { signal })
  try {
    for await (const chunk of stream) yield chunk as Buffer
  } catch (err) {
    if (signal.aborted) throw signal.reason
    throw fileError(err as NodeJS.ErrnoException, path)
  } finally {
    stream.destroy()
  }
}

function fileError(err: NodeJS.ErrnoException, path: string): Error {
  if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
    return new SourceDataError(`cannot read ${path}: ${err.code}`, { cause: err })
  }
  return new SourceUnavailableError(`cannot read ${path}: ${err.message}`, { cause: err })
}
