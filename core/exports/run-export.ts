import type { Knex } from 'knex'
import { Value } from '@sinclair/typebox/value'
import type { Exporter, Principal } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { SharedObjectFilter } from '../sharing/index.js'
import { badExportParameter, unknownFormat } from './errors.js'
import { exportSource } from './shared-stream.js'
import type { PlatformMetrics } from '../infra/metrics.js'

/** Bytes gathered before a chunk leaves: fewer, larger writes to the socket or file. */
const CHUNK_BYTES = 64 * 1024

/** The exporter of a format, or a 404 listing the formats that exist. */
export function findExporter(registry: PluginRegistry, format: string): Exporter {
  const exporters = registry.byKind('exporter').map((p) => p.impl)
  const exporter = exporters.find((e) => e.format === format)
  if (!exporter) throw unknownFormat(format, exporters.map((e) => e.format).sort())
  return exporter
}

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Validates request options against the exporter's `optionsSchema` (400 naming the option), defaults applied. */
export function resolveOptions(exporter: Exporter, raw: Record<string, unknown>): Record<string, unknown> {
  const schema = exporter.optionsSchema
  if (!schema) return {}
  const properties: unknown = schema.properties
  const known = isObject(properties) ? Object.keys(properties) : []
  const picked = Object.fromEntries(Object.entries(raw).filter(([k]) => known.includes(k)))
  const options = Value.Default(schema, Value.Clone(picked))
  const error = [...Value.Errors(schema, options)][0]
  if (error) throw badExportParameter(error.path.replace(/^\//, '') || 'options', error.message)
  // An options schema that accepts a non-object leaves the exporter no options: it reads them by name.
  return isObject(options) ? Object.fromEntries(Object.entries(options)) : {}
}

/**
 * Coalesces the exporter's small writes into chunks of about {@link CHUNK_BYTES}. Strings (what exporters
 * write, one per object) are joined as text and encoded once per chunk: one Buffer per chunk rather than one
 * per write.
 */
async function* coalesce(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  let text = ''
  let pending: Buffer[] = []
  let size = 0
  const flushText = () => {
    if (text === '') return
    const buf = Buffer.from(text, 'utf8')
    pending.push(buf)
    size += buf.length
    text = ''
  }
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      text += chunk
      // UTF-16 length is at most the UTF-8 byte length: the chunk is never smaller than intended.
      if (size + text.length < CHUNK_BYTES) continue
      flushText()
    } else {
      flushText()
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      size += chunk.byteLength
    }
    if (size >= CHUNK_BYTES) {
      yield pending.length === 1 ? pending[0] : Buffer.concat(pending, size)
      pending = []
      size = 0
    }
  }
  flushText()
  if (size > 0) yield pending.length === 1 ? pending[0] : Buffer.concat(pending, size)
}

export interface RunExportOptions {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId' | 'role'>
  exporter: Exporter
  filter: SharedObjectFilter
  options: Record<string, unknown>
  /** `app.metrics`: objects exported by format, anonymization per level (absent: not counted). */
  metrics?: Pick<PlatformMetrics, 'objectAnonymized' | 'objectsExported'>
}

/**
 * An export as bytes: the egress pipeline's objects for this principal, written by the exporter. Nothing is
 * read until the caller pulls, and memory stays at one page of objects plus one chunk.
 */
export function runExport(opts: RunExportOptions): { chunks: AsyncIterable<Buffer>; objectsRead(): number } {
  const metrics = opts.metrics && { counters: opts.metrics, format: opts.exporter.format }
  const source = exportSource({
    knex: opts.knex,
    registry: opts.registry,
    principal: opts.principal,
    filter: opts.filter,
    metrics,
  })
  const ctx = { recipientOrgId: opts.principal.orgId, options: opts.options, collectionOf: source.collectionOf }
  const { exporter } = opts
  const chunks = exporter.writeJson ? exporter.writeJson(source.texts, ctx) : exporter.write(source.objects, ctx)
  return { chunks: coalesce(chunks), objectsRead: source.count }
}

/** `attachment; filename="crisp-export-<format>-<date>.<ext>"` */
export function attachmentName(exporter: Exporter, now = new Date()): string {
  return `crisp-export-${exporter.format}-${now.toISOString().slice(0, 19).replace(/[:T]/g, '')}.${exporter.fileExtension}`
}
