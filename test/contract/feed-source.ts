/**
 * Contract suite every feed-source plugin (built-in or third-party) runs against itself:
 *
 *   import { runFeedSourceContract } from '../../test/contract/feed-source.js'
 *   t.test('contract', (t) => runFeedSourceContract(t, { definition, validConfig, invalidConfig }))
 *
 * `validConfig` must point at something that answers (a local fixture server on 127.0.0.1, which the suite's
 * context allow-lists): the suite pulls once to check the shape of every item, then pulls again and aborts to
 * check the source stops. Then it pulls under the platform's default egress policy, where loopback is refused:
 * a source that makes its requests through `ctx.http` fails with `EgressDeniedError` and the fixture server
 * (pass it as `fixture`) receives nothing; one with a `fetch` or `node:http` of its own would get through.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { isDeepStrictEqual } from 'node:util'
import type { Test } from 'tap'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import {
  PLUGIN_API_VERSION,
  PLUGIN_ID_PATTERN,
  type FeedItem,
  type FeedObject,
  type FeedObjectText,
  type FeedRun,
  type FeedSource,
  type PluginContext,
} from '../../core/plugin-api/index.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { pluginContext, type TestContextOptions } from './plugin-context.js'

export { silentLogger } from './plugin-context.js'

/** The shape of any feed-source definition, whatever its config type. */
export interface FeedSourceDefinitionLike {
  kind: string
  id: string
  apiVersion: number
  version: string
  description: string
  configSchema: TSchema
  create(ctx: PluginContext<never>): FeedSource | Promise<FeedSource>
}

export interface FeedSourceContractOptions {
  definition: FeedSourceDefinitionLike
  /** A configuration the schema accepts; the suite pulls with it. */
  validConfig: Record<string, unknown>
  /** A configuration the schema must refuse. */
  invalidConfig: Record<string, unknown>
  /** Builds the run handed to `pull`; defaults to a first run (no checkpoint). */
  makeRun?: (signal: AbortSignal) => FeedRun
  /** The server `validConfig` points at: the egress check asserts it received no request. */
  fixture?: Pick<FixtureServer, 'requests'>
}

const STIX_ID = /^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ABORT_DEADLINE_MS = 2000

/** Fixture servers listen on 127.0.0.1: the egress policy of plugin tests admits exactly that address. */
export const FIXTURE_EGRESS = { allowPrivate: ['127.0.0.1/32'] }

/**
 * Applies schema defaults, checks the config like the registry does at boot, then creates the source with the
 * context the registry would give it (feed set up by a platform admin; egress {@link FIXTURE_EGRESS} unless
 * `options.egress` says otherwise). Feed sources get no identity services: every call fails.
 */
export async function createFeedSource(
  definition: FeedSourceDefinitionLike,
  config: Record<string, unknown>,
  options: TestContextOptions = {},
): Promise<FeedSource> {
  const withDefaults = Value.Default(definition.configSchema, Value.Clone(config))
  if (!Value.Check(definition.configSchema, withDefaults)) {
    const errors = [...Value.Errors(definition.configSchema, withDefaults)].map((e) => `${e.path}: ${e.message}`)
    throw new Error(`invalid ${definition.id} config: ${errors.join('; ')}`)
  }
  const ctx = pluginContext(withDefaults as Record<string, unknown>, { egress: FIXTURE_EGRESS, ...options })
  // The definition's config type is not known here; the schema check above is what makes this cast sound.
  return definition.create(ctx as unknown as PluginContext<never>)
}

/** A first run of feed `contract-feed`, with no checkpoint. */
export function firstRun(signal: AbortSignal, checkpoint: string | null = null): FeedRun {
  return { feedId: 'contract-feed', checkpoint, signal }
}

/** Returns the problem with an item's shape, or null when it is a valid {@link FeedItem}. */
export function feedItemProblem(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return 'item is not an object'
  const it = item as Record<string, unknown>
  switch (it.kind) {
    case 'object': {
      const obj = it.object as Record<string, unknown> | undefined
      if (typeof obj !== 'object' || obj === null) return 'object item without an object'
      if (typeof obj.type !== 'string' || typeof obj.id !== 'string') return 'object without string type and id'
      if (!STIX_ID.test(obj.id) || !obj.id.startsWith(`${obj.type}--`)) return `bad id ${obj.id} for type ${obj.type}`
      return null
    }
    case 'object-text': {
      if (typeof it.text !== 'string' || typeof it.parse !== 'function')
        return 'object-text item without text and parse'
      const parsed: unknown = it.parse()
      const problem = feedItemProblem(parsed)
      if (problem !== null) return `object-text parses to a bad item: ${problem}`
      if (
        (parsed as FeedItem).kind === 'object' &&
        !isDeepStrictEqual(JSON.parse(it.text), (parsed as FeedObject).object)
      )
        return 'object-text parses to an object that is not JSON.parse of its text'
      return null
    }
    case 'checkpoint':
      return typeof it.checkpoint === 'string' ? null : 'checkpoint is not a string'
    case 'rejected':
      if (typeof it.reason !== 'string' || it.reason === '') return 'rejected item without a reason'
      return it.ref === undefined || typeof it.ref === 'string' ? null : 'rejected ref is not a string'
    case 'total':
      return Number.isSafeInteger(it.total) && (it.total as number) >= 0 ? null : 'total is not a non-negative integer'
    default:
      return `unknown item kind ${String(it.kind)}`
  }
}

/** Property paths of the schema that lack a `description`. */
function undescribedProperties(schema: TSchema, path = ''): string[] {
  const missing: string[] = []
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, TSchema>)) {
    if (typeof prop.description !== 'string' || prop.description === '') missing.push(`${path}/${name}`)
    missing.push(...undescribedProperties(prop, `${path}/${name}`))
  }
  for (const variant of [...((schema.anyOf ?? []) as TSchema[]), ...((schema.oneOf ?? []) as TSchema[])]) {
    missing.push(...undescribedProperties(variant, path))
  }
  return missing
}

export async function runFeedSourceContract(t: Test, options: FeedSourceContractOptions): Promise<void> {
  const { definition, validConfig, invalidConfig } = options
  const makeRun = options.makeRun ?? ((signal: AbortSignal) => firstRun(signal))

  await t.test('definition shape', async (t) => {
    t.equal(definition.kind, 'feed-source')
    t.match(definition.id, PLUGIN_ID_PATTERN, 'id is kebab-case')
    t.equal(definition.apiVersion, PLUGIN_API_VERSION)
    t.match(definition.version, /^\d+\.\d+\.\d+/, 'version is semver')
    t.ok(definition.description.length > 10, 'has a description')
    t.equal(definition.configSchema.type, 'object', 'config schema is an object schema')
    t.equal(definition.configSchema.additionalProperties, false, 'config schema refuses unknown properties')
    t.same(undescribedProperties(definition.configSchema), [], 'every config property has a description')
    t.equal(typeof definition.create, 'function')
  })

  await t.test('config schema', async (t) => {
    const valid = Value.Default(definition.configSchema, Value.Clone(validConfig))
    t.ok(Value.Check(definition.configSchema, valid), 'valid config accepted (with defaults applied)')
    const invalid = Value.Default(definition.configSchema, Value.Clone(invalidConfig))
    t.notOk(Value.Check(definition.configSchema, invalid), 'invalid config refused')
    t.ok([...Value.Errors(definition.configSchema, invalid)].length > 0, 'refusal comes with errors')
    const unknown = { ...(valid as Record<string, unknown>), notAnOption: true }
    t.notOk(Value.Check(definition.configSchema, unknown), 'unknown property refused')
  })

  await t.test('create() returns a feed source', async (t) => {
    const source = await createFeedSource(definition, validConfig)
    t.equal(typeof source, 'object')
    t.equal(typeof source.pull, 'function')
  })

  await t.test('pull yields only valid feed items', async (t) => {
    const source = await createFeedSource(definition, validConfig)
    let count = 0
    for await (const item of source.pull(makeRun(new AbortController().signal))) {
      const problem = feedItemProblem(item)
      if (problem !== null) t.fail(problem, { item })
      count++
    }
    t.ok(count > 0, `the valid config produced items (${count})`)
  })

  await t.test('pull with an aborted signal yields no object', async (t) => {
    const source = await createFeedSource(definition, validConfig)
    const controller = new AbortController()
    controller.abort()
    const items: FeedItem[] = []
    const outcome = await settleWithin(async () => {
      for await (const item of source.pull(makeRun(controller.signal))) items.push(item)
    }).then(
      () => 'ended',
      (err: unknown) => (err instanceof DeadlineError ? 'hung' : 'threw'),
    )
    t.not(outcome, 'hung', `pull settled promptly (${outcome})`)
    t.same(items, [], 'nothing yielded')
  })

  await t.test('pull stops when the signal aborts mid-run', async (t) => {
    const source = await createFeedSource(definition, validConfig)
    const controller = new AbortController()
    const iterator = source.pull(makeRun(controller.signal))[Symbol.asyncIterator]()
    const first = await iterator.next()
    t.notOk(first.done, 'yielded a first item')
    controller.abort()
    const started = Date.now()
    const next = await settleWithin(() => iterator.next()).catch((err: unknown) => ({ error: err }))
    t.notOk('error' in next && next.error instanceof DeadlineError, 'the next step settled')
    t.ok('error' in next || next.done === true, 'the next step ends or throws instead of yielding')
    t.ok(Date.now() - started < ABORT_DEADLINE_MS, 'stopped promptly')
    await iterator.return?.(undefined)
  })

  await t.test('egress: under the default policy the source cannot reach the loopback fixture', async (t) => {
    const source = await createFeedSource(definition, validConfig, { egress: { allowPrivate: [] } })
    const before = options.fixture?.requests.length
    const items: FeedItem[] = []
    const pulling = (async () => {
      for await (const item of source.pull(makeRun(new AbortController().signal))) items.push(item)
    })()
    await t.rejects(pulling, {
      name: 'EgressDeniedError',
      message: /^refused by the egress policy: .*a loopback address/,
    })
    t.same(items, [], 'nothing yielded')
    if (options.fixture) t.equal(options.fixture.requests.length, before, 'no request reached the fixture server')
  })
}

class DeadlineError extends Error {}

async function settleWithin<T>(fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineError(`did not settle within ${ABORT_DEADLINE_MS} ms`)),
      ABORT_DEADLINE_MS,
    )
  })
  try {
    return await Promise.race([fn(), deadline])
  } finally {
    clearTimeout(timer)
  }
}

// ---- a local HTTP server for feed-source tests ------------------------------------------------

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** Every request received, in order. */
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** Starts a server on 127.0.0.1, on a free port, answering with `handler`. Hanging sockets die on close. */
export async function startFixtureServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<FixtureServer> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers })
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      res.statusCode = 500
      res.end(String(err))
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Announces `declaredLength` bytes, sends only `body`, then kills the connection. */
export function sendTruncated(res: ServerResponse, body: string, declaredLength: number): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(declaredLength) })
  res.write(body, () => setTimeout(() => res.socket?.destroy(), 20))
}

// ---- helpers for plugin tests -----------------------------------------------------------------

/**
 * What the core makes of an object given as text that it does not find stored: the source's parse, which must
 * give `JSON.parse` of the text when it gives an object.
 */
export function parseObjectText(item: FeedObjectText): FeedItem {
  const parsed = item.parse()
  if (parsed.kind === 'object' && !isDeepStrictEqual(JSON.parse(item.text), parsed.object))
    throw new Error(`the parse of an object text is not JSON.parse of it: ${item.text}`)
  return parsed
}

/** Pulls a whole run and sorts its items by kind; objects given as text are parsed as they come. */
export async function collectRun(source: FeedSource, run: FeedRun) {
  const items: FeedItem[] = []
  for await (const item of source.pull(run)) items.push(item.kind === 'object-text' ? parseObjectText(item) : item)
  const objects = items.flatMap((i) => (i.kind === 'object' ? [i.object] : []))
  const checkpoints = items.flatMap((i) => (i.kind === 'checkpoint' ? [i.checkpoint] : []))
  const rejected = items.flatMap((i) => (i.kind === 'rejected' ? [i] : []))
  const totals = items.flatMap((i) => (i.kind === 'total' ? [i.total] : []))
  return { items, objects, checkpoints, rejected, totals }
}

/** Fails the test for each object the core's STIX 2.1 validator refuses. */
export function assertValidStix(t: Test, objects: readonly unknown[]): void {
  const validator = getDefaultValidator()
  let invalid = 0
  for (const obj of objects) {
    const result = validator.validate(obj)
    if (!result.ok) {
      invalid++
      t.fail(`invalid STIX ${(obj as { id?: string }).id}`, { errors: result.errors, obj })
    }
  }
  t.equal(invalid, 0, `all ${objects.length} objects are valid STIX 2.1`)
}
