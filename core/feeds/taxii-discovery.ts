import type { HttpClient } from '../plugin-api/http.js'
import { SourceDataError } from '../plugin-api/index.js'
import { errorMessage } from '../infra/errors.js'

const TAXII_ACCEPT = 'application/taxii+json;version=2.1'

export interface DiscoveredCollection {
  id: string
  title: string
  canRead: boolean
  canWrite: boolean
  /** What a `taxii21` feed's `collectionUrl` is for this collection. */
  collectionUrl: string
}

export interface DiscoveredApiRoot {
  url: string
  title?: string
  /** Why the api root or its collections could not be listed (e.g. 401 without credentials), else undefined. */
  error?: string
  collections: DiscoveredCollection[]
}

export interface Discovery {
  title?: string
  apiRoots: DiscoveredApiRoot[]
}

const asObject = (v: unknown, what: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SourceDataError(`${what} is not a JSON object`)
  return Object.fromEntries(Object.entries(v))
}
const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`)

/**
 * Lists a TAXII 2.1 server's api roots and each root's collections, through the platform's HTTP client (so
 * under the egress policy a feed would meet). `url` is a discovery URL (`…/taxii2/`) or an api root.
 */
export async function discoverTaxii(options: {
  http: HttpClient
  url: string
  headers: Record<string, string>
  timeoutMs: number
  signal: AbortSignal
}): Promise<Discovery> {
  const get = async (url: string, what: string) => {
    const res = await options.http.get({
      url,
      headers: { accept: TAXII_ACCEPT, ...options.headers },
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    })
    return asObject(await res.json(), what)
  }
  const first = await get(options.url, `the answer of ${options.url}`)
  const isDiscovery = Array.isArray(first.api_roots) || typeof first.default === 'string'
  const roots = isDiscovery
    ? [
        ...new Set([
          ...(typeof first.default === 'string' ? [first.default] : []),
          ...(Array.isArray(first.api_roots) ? first.api_roots : []).filter((r): r is string => typeof r === 'string'),
        ]),
      ]
    : [options.url]
  const apiRoots: DiscoveredApiRoot[] = []
  for (const root of roots) {
    const url = withSlash(new URL(root, options.url).href)
    const entry: DiscoveredApiRoot = { url, collections: [] }
    try {
      const info = isDiscovery ? await get(url, `api root ${url}`) : first
      if (typeof info.title === 'string') entry.title = info.title
      const list = await get(`${url}collections/`, `the collections of ${url}`)
      for (const c of Array.isArray(list.collections) ? list.collections : []) {
        const col = asObject(c, 'a collection')
        if (typeof col.id !== 'string') continue
        entry.collections.push({
          id: col.id,
          title: typeof col.title === 'string' ? col.title : '',
          canRead: col.can_read === true,
          canWrite: col.can_write === true,
          collectionUrl: `${url}collections/${encodeURIComponent(col.id)}/`,
        })
      }
    } catch (err) {
      entry.error = errorMessage(err)
    }
    apiRoots.push(entry)
  }
  return { title: typeof first.title === 'string' && isDiscovery ? first.title : undefined, apiRoots }
}
