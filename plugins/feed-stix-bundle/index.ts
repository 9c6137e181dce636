import {
  defineFeedSource,
  redactUrl,
  type FeedItem,
  type FeedRun,
  type HttpClient,
  type LocalFile,
} from '../../core/plugin-api/index.js'
import { countBundleEntries, parseBundleStream } from './bundle-parser.js'
import { stixBundleConfigSchema, type StixBundleConfig } from './config.js'
import { openFileBundle, openHttpBundle, type OpenedBundle } from './sources.js'

function open(
  config: StixBundleConfig,
  run: FeedRun,
  http: HttpClient,
  file: LocalFile | undefined,
): Promise<OpenedBundle | null> {
  if (file === undefined) {
    return openHttpBundle({
      http,
      url: config.url as string,
      headers: config.headers,
      checkpoint: run.checkpoint,
      signal: run.signal,
      timeoutMs: config.timeoutMs,
    })
  }
  return openFileBundle({ file, checkpoint: run.checkpoint, signal: run.signal })
}

/**
 * Pulls a whole STIX 2.1 bundle from a URL or a file, streamed; one checkpoint at the end. A file is counted
 * first (a scan without parsing), so the run knows its total; a download is read once, so its total is unknown.
 */
export const stixBundleFeedSource = defineFeedSource({
  id: 'stix-bundle',
  apiVersion: 1,
  version: '1.0.0',
  description:
    'STIX 2.1 bundle from an http(s) URL or a file of the feed files folder, streamed, re-fetched only when it changed',
  configSchema: stixBundleConfigSchema,
  create({ config, http, files }) {
    if ((config.url === undefined) === (config.path === undefined)) {
      throw new Error('stix-bundle: configure exactly one of "url" and "path"')
    }
    // Resolved now, so a path the platform refuses refuses the feed when it is saved.
    const file = config.path === undefined ? undefined : files.resolve(config.path)
    const source = file === undefined ? redactUrl(config.url as string) : file.name
    return {
      async *pull(run: FeedRun): AsyncGenerator<FeedItem> {
        const opened = await open(config, run, http, file)
        if (opened === null) return
        if (file !== undefined) {
          const total = await countBundleEntries(file.read(run.signal))
          if (total !== null) yield { kind: 'total', total }
        }
        yield* parseBundleStream(opened.chunks, run.signal, source)
        run.signal.throwIfAborted()
        yield { kind: 'checkpoint', checkpoint: opened.checkpoint }
      },
    }
  },
})

export default stixBundleFeedSource
