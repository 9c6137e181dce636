import { SourceDataError, defineFeedSource, type FeedItem, type FeedRun } from '../../core/plugin-api/index.js'
import { otxConfigSchema, type OtxConfig } from './config.js'
import { otxTimestamp, pulseToItems, type OtxPulse } from './pulse-to-stix.js'

interface PulsePage {
  results: OtxPulse[]
  next: string | null
}

function asPage(body: unknown): PulsePage {
  const page = body as Partial<PulsePage> | null
  if (typeof page !== 'object' || page === null || !Array.isArray(page.results)) {
    throw new SourceDataError('OTX answered without a "results" list of pulses')
  }
  return { results: page.results, next: typeof page.next === 'string' && page.next !== '' ? page.next : null }
}

function firstPageUrl(config: OtxConfig, since: string | undefined): string {
  const base = config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`
  const url = new URL('api/v1/pulses/subscribed', base)
  url.searchParams.set('limit', String(config.pageSize))
  url.searchParams.set('page', '1')
  if (since) url.searchParams.set('modified_since', since)
  return url.href
}

/** The API key must only ever go to the configured server, whatever `next` says. */
function checkedNext(next: string, config: OtxConfig): string {
  if (!URL.canParse(next) || new URL(next).origin !== new URL(config.baseUrl).origin) {
    throw new SourceDataError(
      'OTX "next" link points outside the configured baseUrl; refusing to send the API key there',
    )
  }
  return next
}

/** AlienVault OTX subscribed pulses, incremental by pulse `modified`. */
export const otxFeedSource = defineFeedSource({
  id: 'otx',
  apiVersion: 1,
  version: '1.0.0',
  description: 'AlienVault OTX subscribed pulses → reports, indicators, observables and vulnerabilities',
  configSchema: otxConfigSchema,
  create({ config, http }) {
    const headers = { 'X-OTX-API-KEY': config.apiKey, accept: 'application/json' }
    return {
      async *pull(run: FeedRun): AsyncGenerator<FeedItem> {
        let url: string | null = firstPageUrl(config, run.checkpoint ?? config.since)
        let greatest = run.checkpoint ?? undefined
        // Pages newest-first would make a per-page checkpoint skip the older pages after a failure:
        // once pulses arrive out of ascending order, the checkpoint waits for the last page.
        let ascending = true
        while (url !== null) {
          const response = await http.get({ url, headers, signal: run.signal, timeoutMs: config.timeoutMs })
          const page = asPage(await response.json())
          for (const pulse of page.results) {
            const modified = otxTimestamp(pulse.modified)
            if (modified && greatest && Date.parse(modified) < Date.parse(greatest)) ascending = false
            if (modified && (!greatest || Date.parse(modified) > Date.parse(greatest))) greatest = modified
            for (const item of pulseToItems(pulse, config)) {
              run.signal.throwIfAborted()
              yield item
            }
          }
          url = page.next === null ? null : checkedNext(page.next, config)
          if (greatest && greatest !== run.checkpoint && (ascending || url === null)) {
            run.signal.throwIfAborted()
            yield { kind: 'checkpoint', checkpoint: greatest }
          }
        }
      },
    }
  },
})

export default otxFeedSource
