import { defineFeedSource, type FeedItem, type FeedRun } from '../../core/plugin-api/index.js'
import { parseBundleStream } from './bundle-parser.js'
import { stixBundleConfigSchema, type StixBundleConfig } from './config.js'
import { openFileBundle, openHttpBundle, type OpenedBundle } from './sources.js'
import { redactUrl } from '../../core/plugin-api/index.js'

function open(config: StixBundleConfig, run: FeedRun): Promise<OpenedBundle | null> {
  if (config.url !== undefined) {
    return openHttpBundle({
      url: config.url,
      headers: config.headers,
      checkpoint: run.checkpoint,
      signal: run.signal,
      timeoutMs: config.timeoutMs,
    })
  }
  return openFileBundle({ path: config.path as string, checkpoint: run.checkpoint, signal: run.signal })
}

/** Pulls a whole STIX 2.1 bundle from a URL or a file, streamed; one checkpoint at the end. */
export const stixBundleFeedSource = defineFeedSource({
  id: 'stix-bundle',
  apiVersion: 1,
  version: '1.0.0',
  description: 'STIX 2.1 bundle from an http(s) URL or a local file, streamed, re-fetched only when it changed',
  configSchema: stixBundleConfigSchema,
  create({ config }) {
    if ((config.url === undefined) === (config.path === undefined)) {
      throw new Error('stix-bundle: configure exactly one of "url" and "path"')
    }
    const source = config.url !== undefined ? redactUrl(config.url) : (config.path as string)
    return {
      async *pull(run: FeedRun): AsyncGenerator<FeedItem> {
        const opened = await open(config, run)
        if (opened === null) return
        yield* parseBundleStream(opened.chunks, run.signal, source)
        run.signal.throwIfAborted()
        yield { kind: 'checkpoint', checkpoint: opened.checkpoint }
      },
    }
  },
})

export default stixBundleFeedSource
