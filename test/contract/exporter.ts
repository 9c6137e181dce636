/**
 * Contract suite every exporter plugin (built-in or third-party) runs against itself:
 *
 *   import { runExporterContract } from '../../test/contract/exporter.js'
 *   t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))
 *
 * `sampleObjects` must contain at least one object the exporter writes something for: the suite checks the
 * exporter streams (its first bytes leave before the input ends), stops reading when its consumer stops, and
 * writes only strings and bytes.
 */
import type { Test } from 'tap'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import {
  PLUGIN_API_VERSION,
  PLUGIN_ID_PATTERN,
  type ExportContext,
  type Exporter,
  type PluginContext,
  type StixObject,
} from '../../core/plugin-api/index.js'
import { silentLogger } from './feed-source.js'

/** The shape of any exporter definition, whatever its config type. */
export interface ExporterDefinitionLike {
  kind: string
  id: string
  apiVersion: number
  version: string
  description: string
  configSchema: TSchema
  create(ctx: PluginContext<never>): Exporter | Promise<Exporter>
}

export interface ExporterContractOptions {
  definition: ExporterDefinitionLike
  /** Plugin configuration; schema defaults fill the rest. */
  config?: Record<string, unknown>
  /** Objects the exporter writes something for (they are repeated to make a long input). */
  sampleObjects: StixObject[]
  /** Per-request options; defaults to the options schema's defaults. */
  options?: Record<string, unknown>
}

const REPEAT = 2000
const NO_SERVICES = new Proxy(
  {},
  {
    get: () => {
      throw new Error('exporters get no services')
    },
  },
)

/** Applies schema defaults, checks the config like the registry does at boot, then creates the exporter. */
export async function createExporter(
  definition: ExporterDefinitionLike,
  config: Record<string, unknown> = {},
): Promise<Exporter> {
  const withDefaults = Value.Default(definition.configSchema, Value.Clone(config))
  if (!Value.Check(definition.configSchema, withDefaults)) {
    const first = [...Value.Errors(definition.configSchema, withDefaults)][0]
    throw new Error(`config refused: ${first?.path} ${first?.message}`)
  }
  const ctx = {
    config: withDefaults,
    log: silentLogger,
    secrets: { anonymizationKey: 'contract-key' },
    services: NO_SERVICES,
  }
  return definition.create(ctx as PluginContext<never>)
}

/** Applies the exporter's options defaults like the core does; throws when the options are refused. */
export function exportContext(
  exporter: Exporter,
  options: Record<string, unknown> = {},
  extra: Partial<ExportContext> = {},
): ExportContext {
  const schema = exporter.optionsSchema
  const resolved = schema ? Value.Default(schema, Value.Clone(options)) : {}
  if (schema && !Value.Check(schema, resolved))
    throw new Error(`options refused: ${[...Value.Errors(schema, resolved)][0]?.message}`)
  return { recipientOrgId: 'org-contract', options: resolved as Record<string, unknown>, ...extra }
}

/** Runs an export to the end and returns its text. */
export async function exportToText(
  exporter: Exporter,
  objects: Iterable<StixObject> | AsyncIterable<StixObject>,
  ctx: ExportContext,
): Promise<string> {
  async function* input() {
    yield* objects
  }
  return collectText(exporter.write(input(), ctx))
}

/** An input that counts how many objects were read and whether it was closed. */
function countingInput(samples: StixObject[], total: number) {
  const state = { read: 0, closed: false }
  async function* objects(): AsyncGenerator<StixObject> {
    try {
      for (let i = 0; i < total; i++) {
        state.read++
        yield samples[i % samples.length]
      }
    } finally {
      state.closed = true
    }
  }
  return { state, objects: objects() }
}

export async function runExporterContract(t: Test, opts: ExporterContractOptions): Promise<void> {
  const { definition } = opts
  t.equal(definition.kind, 'exporter', 'kind is exporter')
  t.match(definition.id, PLUGIN_ID_PATTERN, 'id is kebab-case')
  t.equal(definition.apiVersion, PLUGIN_API_VERSION, 'apiVersion is the current contract version')
  t.ok(definition.description.length > 0, 'has a description')
  t.ok(opts.sampleObjects.length > 0, 'the suite needs sample objects')
  const exporter = await createExporter(definition, opts.config)
  t.match(exporter.format, /^[a-z0-9][a-z0-9.-]*$/, 'format is URL-safe')
  t.match(exporter.mediaType, /^[a-z]+\/[a-z0-9.+-]+(;.*)?$/i, 'mediaType is a media type')
  t.match(exporter.fileExtension, /^[a-z0-9]+$/i, 'fileExtension has no dot')
  if (exporter.optionsSchema)
    t.equal((exporter.optionsSchema as { type?: string }).type, 'object', 'optionsSchema is an object schema')
  const ctx = () => exportContext(exporter, opts.options)

  await t.test('an empty input gives a complete (possibly empty) export', async (t) => {
    const text = await exportToText(exporter, [], ctx())
    t.type(text, 'string')
  })

  await t.test('streams: the first bytes leave before the input is read to the end', async (t) => {
    const total = opts.sampleObjects.length * REPEAT
    const { state, objects } = countingInput(opts.sampleObjects, total)
    const it = exporter.write(objects, ctx())[Symbol.asyncIterator]()
    let chunk: IteratorResult<string | Uint8Array>
    do chunk = await it.next()
    while (!chunk.done && chunk.value.length === 0)
    t.notOk(chunk.done, 'wrote something')
    if (!chunk.done)
      t.ok(typeof chunk.value === 'string' || chunk.value instanceof Uint8Array, 'chunks are strings or bytes')
    t.ok(state.read < total, `read ${state.read} of ${total} objects before the first bytes`)
    // A generator that never started holds nothing: pull until the input is open, then stop early.
    while (state.read === 0 && !(await it.next()).done);
    await it.return?.()
    t.ok(state.read < total && state.closed, 'closes its input when the consumer stops early')
  })

  await t.test('writes only strings and bytes, and reads the whole input', async (t) => {
    const { state, objects } = countingInput(opts.sampleObjects, opts.sampleObjects.length * 3)
    let bad = 0
    for await (const chunk of exporter.write(objects, ctx()))
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) bad++
    t.equal(bad, 0)
    t.equal(state.read, opts.sampleObjects.length * 3)
    t.ok(state.closed)
  })

  if (exporter.writeJson) {
    const writeJson = exporter.writeJson.bind(exporter)
    await t.test('writeJson exports what write exports, from the objects as JSON text', async (t) => {
      const objects = [...opts.sampleObjects, ...opts.sampleObjects]
      const fromObjects = await exportToText(exporter, objects, ctx())
      // The core hands over the text as it was stored: the same JSON value, spaced differently.
      const fromTexts = await collectText(writeJson(textsOf(objects), ctx()))
      const asJson = (text: string): unknown => {
        try {
          const value: unknown = JSON.parse(text)
          // A bundle's own id is random per export.
          return value !== null && typeof value === 'object' ? { ...value, id: undefined } : value
        } catch {
          return text
        }
      }
      t.same(asJson(fromTexts), asJson(fromObjects))
    })
  }
}

async function* textsOf(objects: readonly StixObject[]): AsyncGenerator<string> {
  for (const object of objects) yield JSON.stringify(object, null, 1)
}

async function collectText(chunks: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of chunks) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
  return text + decoder.decode()
}
