import { defineFeedSource, type FeedItem, type FeedRun } from '../../core/plugin-api/index.js'
import { csvConfigSchema } from './config.js'
import { readEntries } from './entries.js'
import { entryToItems, listDateToTimestamp } from './to-stix.js'

interface HttpValidators {
  etag?: string
  lastModified?: string
}

function previousValidators(checkpoint: string | null): HttpValidators {
  try {
    return checkpoint === null ? {} : (JSON.parse(checkpoint) as HttpValidators)
  } catch {
    return {} // an unreadable checkpoint only costs one full download
  }
}

/** Plain-text and CSV indicator lists (abuse.ch URLhaus, Feodo Tracker, …) → indicators and observables. */
export const csvFeedSource = defineFeedSource({
  id: 'csv',
  apiVersion: 1,
  version: '1.0.0',
  description: 'Plain-text or CSV indicator list (IPs, CIDRs, domains, URLs, hashes, emails) → STIX indicators',
  configSchema: csvConfigSchema,
  create({ config, http }) {
    return {
      async *pull(run: FeedRun): AsyncGenerator<FeedItem> {
        const previous = previousValidators(run.checkpoint)
        const headers: Record<string, string> = { accept: 'text/csv, text/plain, */*', ...config.headers }
        if (previous.etag) headers['if-none-match'] = previous.etag
        if (previous.lastModified) headers['if-modified-since'] = previous.lastModified
        const response = await http.get({ url: config.url, headers, signal: run.signal, timeoutMs: config.timeoutMs })
        if (response.status === 304) return

        const etag = response.headers.get('etag') ?? undefined
        const lastModified = response.headers.get('last-modified') ?? undefined
        const ctx = {
          config,
          feedId: run.feedId,
          defaultTimestamp: listDateToTimestamp(lastModified) ?? new Date().toISOString(),
        }
        // The same value listed twice yields its objects once per run.
        const seen = new Set<string>()
        for await (const entry of readEntries(response.chunks(), config)) {
          const items = 'kind' in entry ? [entry] : entryToItems(entry, ctx)
          for (const item of items) {
            if (item.kind === 'object') {
              if (seen.has(item.object.id)) continue
              seen.add(item.object.id)
            }
            run.signal.throwIfAborted()
            yield item
          }
        }
        run.signal.throwIfAborted()
        yield { kind: 'checkpoint', checkpoint: JSON.stringify({ etag, lastModified }) }
      },
    }
  },
})

export default csvFeedSource
