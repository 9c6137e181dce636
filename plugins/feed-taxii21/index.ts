import {
  SourceDataError,
  compareTimestamps,
  defineFeedSource,
  isStixTimestamp,
  type FeedItem,
  type FeedRun,
  type StixObject,
} from '../../core/plugin-api/index.js'
import { createBoundaryTracker, versionKey } from './boundary.js'
import { taxiiConfigSchema } from './config.js'
import { TAXII_MEDIA_TYPE, authHeaders, objectsUrl } from './request.js'

interface Envelope {
  more: boolean
  next?: string
  objects: unknown[]
}

function asEnvelope(body: unknown): Envelope {
  const env = body as Partial<Envelope> | null
  if (
    typeof env !== 'object' ||
    env === null ||
    Array.isArray(env) ||
    (env.objects !== undefined && !Array.isArray(env.objects))
  ) {
    throw new SourceDataError('the TAXII server answered with something that is not an envelope')
  }
  return {
    more: env.more === true,
    next: typeof env.next === 'string' && env.next ? env.next : undefined,
    objects: env.objects ?? [],
  }
}

function isStixObject(value: unknown): value is StixObject {
  const obj = value as Record<string, unknown> | null
  return (
    typeof obj === 'object' &&
    obj !== null &&
    !Array.isArray(obj) &&
    typeof obj.type === 'string' &&
    typeof obj.id === 'string'
  )
}

/** Polls one TAXII 2.1 collection, incremental by date added. */
export const taxii21FeedSource = defineFeedSource({
  id: 'taxii21',
  apiVersion: 1,
  version: '1.0.0',
  description: 'TAXII 2.1 collection poller: objects added since the last run, paged, duplicate-safe',
  configSchema: taxiiConfigSchema,
  create({ config, log, http }) {
    const headers = { accept: TAXII_MEDIA_TYPE, ...authHeaders(config.auth) }
    return {
      async *pull(run: FeedRun): AsyncGenerator<FeedItem> {
        let addedAfter = run.checkpoint ?? config.addedAfter
        let lastCheckpoint = run.checkpoint ?? undefined
        let next: string | undefined
        const boundary = createBoundaryTracker()
        for (;;) {
          const url = objectsUrl(config, addedAfter, next)
          const response = await http.get({ url, headers, signal: run.signal, timeoutMs: config.timeoutMs })
          const envelope = asEnvelope(await response.json())
          const header = response.headers.get('x-taxii-date-added-last') ?? undefined
          const dateAddedLast = header && isStixTimestamp(header) ? header : undefined

          let fresh = 0
          const keys: string[] = []
          for (const [index, entry] of envelope.objects.entries()) {
            run.signal.throwIfAborted()
            if (!isStixObject(entry)) {
              yield {
                kind: 'rejected',
                reason: `objects[${index}] is not a STIX object with a type and an id`,
                ref: `objects[${index}]`,
              }
              continue
            }
            const key = versionKey(entry)
            keys.push(key)
            if (boundary.has(key)) continue
            fresh++
            yield { kind: 'object', object: entry }
          }
          boundary.record(dateAddedLast, keys)
          if (dateAddedLast && (!lastCheckpoint || compareTimestamps(dateAddedLast, lastCheckpoint) > 0)) {
            lastCheckpoint = dateAddedLast
            run.signal.throwIfAborted()
            yield { kind: 'checkpoint', checkpoint: dateAddedLast }
          }
          // A page adding nothing new ends the run: an empty collection, or a server repeating itself.
          if (fresh === 0 || !envelope.more) {
            if (envelope.more) {
              log.warn(
                { feedId: run.feedId, addedAfter },
                'taxii21: the server keeps answering with objects already yielded; stopping (raise pageSize if many objects share one date_added)',
              )
            }
            return
          }
          if (envelope.next) {
            next = envelope.next
          } else if (dateAddedLast) {
            addedAfter = dateAddedLast
            next = undefined
          } else {
            log.warn({ feedId: run.feedId }, 'taxii21: "more" without "next" nor X-TAXII-Date-Added-Last; stopping')
            return
          }
        }
      },
    }
  },
})

export default taxii21FeedSource
