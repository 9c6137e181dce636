import { SourceDataError, defineFeedSource, type FeedItem, type FeedRun } from '../../core/plugin-api/index.js'
import { mispConfigSchema } from './config.js'
import { eventToItems } from './event-to-stix.js'
import { eventsToProcess, parseCheckpoint } from './manifest.js'
import type { MispEvent } from './misp-types.js'

function isMispEvent(value: unknown): value is { Event: MispEvent } {
  const event = (value as { Event?: Partial<MispEvent> } | null)?.Event
  return typeof event === 'object' && event !== null && typeof event.uuid === 'string' && typeof event.info === 'string'
}

/** A MISP feed (manifest.json + one <uuid>.json per event), pulled incrementally by event timestamp. */
export const mispFeedSource = defineFeedSource({
  id: 'misp',
  apiVersion: 1,
  version: '1.0.0',
  description: 'MISP feed (manifest.json + event files) → reports, indicators and observables, incremental',
  configSchema: mispConfigSchema,
  create({ config, http }) {
    const base = config.url.endsWith('/') ? config.url : `${config.url}/`
    const get = (file: string, signal: AbortSignal) =>
      http.get({
        url: new URL(file, base).href,
        headers: { accept: 'application/json', ...config.headers },
        signal,
        timeoutMs: config.timeoutMs,
      })
    return {
      async *pull(run: FeedRun): AsyncGenerator<FeedItem> {
        const manifest = await (await get('manifest.json', run.signal)).json()
        for (const entry of eventsToProcess(manifest, parseCheckpoint(run.checkpoint))) {
          const file = `${encodeURIComponent(entry.uuid)}.json`
          const body = await get(file, run.signal)
            .then((response) => response.json())
            .catch((err: unknown) => {
              // An event listed but not published yet must not block every later event.
              if (err instanceof SourceDataError && /HTTP 404/.test(err.message)) return null
              throw err
            })
          const items: FeedItem[] =
            body === null
              ? [
                  {
                    kind: 'rejected',
                    reason: `event ${entry.uuid} is in the manifest but ${file} is missing (404)`,
                    ref: entry.uuid,
                  },
                ]
              : isMispEvent(body)
                ? eventToItems(body.Event, config)
                : [
                    {
                      kind: 'rejected',
                      reason: `${file} is not a MISP event ({"Event": {uuid, info, …}})`,
                      ref: entry.uuid,
                    },
                  ]
          for (const item of items) {
            run.signal.throwIfAborted()
            yield item
          }
          run.signal.throwIfAborted()
          yield { kind: 'checkpoint', checkpoint: JSON.stringify({ timestamp: entry.timestamp, uuid: entry.uuid }) }
        }
      },
    }
  },
})

export default mispFeedSource
