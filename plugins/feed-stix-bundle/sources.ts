import type { HttpClient, LocalFile } from '../../core/plugin-api/index.js'

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
  http: HttpClient
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
  const response = await options.http.get({
    url: options.url,
    headers,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  })
  if (response.status === 304) return null
  const next: HttpValidators = {}
  const etag = response.headers.get('etag')
  const lastModified = response.headers.get('last-modified')
  if (etag) next.etag = etag
  if (lastModified) next.lastModified = lastModified
  return { chunks: response.chunks(), checkpoint: JSON.stringify(next) }
}

/** Reads a bundle of the feed files folder; null when its mtime and size equal the checkpoint's. */
export async function openFileBundle(options: {
  file: LocalFile
  checkpoint: string | null
  signal: AbortSignal
}): Promise<OpenedBundle | null> {
  const { file, signal } = options
  const info = await file.stat()
  const previous = parseCheckpoint<FileValidators>(options.checkpoint)
  if (previous.mtimeMs === info.mtimeMs && previous.size === info.size) return null
  const checkpoint = JSON.stringify({ mtimeMs: info.mtimeMs, size: info.size })
  return { chunks: file.read(signal), checkpoint }
}
