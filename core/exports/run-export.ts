import type { Knex } from 'knex'
import { Value } from '@sinclair/typebox/value'
import type { Exporter, Principal } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { SharedObjectFilter } from '../sharing/index.js'
import { badExportParameter, unknownFormat } from './errors.js'
import { exportSource } from './shared-stream.js'

/** Bytes gathered before a chunk leaves: fewer, larger writes to the socket or file. */
const CHUNK_BYTES = 64 * 1024

/** The exporter of a format, or a 404 listing the formats that exist. */
export function findExporter(registry: PluginRegistry, format: string): Exporter {
  const exporters = registry.byKind('exporter').map((p) => p.impl)
  const exporter = exporters.find((e) => e.format === format)
  if (!exporter) throw unknownFormat(format, exporters.map((e) => e.format).sort())
  return exporter
}

/** Validates request options against the exporter's `optionsSchema` (400 naming the option), defaults applied. */
export function resolveOptions(exporter: Exporter, raw: Record<string, unknown>): Record<string, unknown> {
  const schema = exporter.optionsSchema
  if (!schema) return {}
  const known = Object.keys((schema as { properties?: object }).properties ?? {})
  const picked = Object.fromEntries(Object.entries(raw).filter(([k]) => known.includes(k)))
  const options = Value.Default(schema, Value.Clone(picked)) as Record<string, unknown>
  const error = [...Value.Errors(schema, options)][0]
  if (error) throw badExportParameter(error.path.replace(/^\//, '') || 'options', error.message)
  return options
}

/** Coalesces the exporter's small writes into chunks of about {@link CHUNK_BYTES}. */
async function* coalesce(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  let size = 0
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    pending.push(buf)
    size += buf.length
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(pending, size)
      pending = []
      size = 0
    }
  }
  if (size > 0) yield Buffer.concat(pending, size)
}

export interface RunExportOptions {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId' | 'role'>
  exporter: Exporter
  filter: SharedObjectFilter
  options: Record<string, unknown>
}

/**
 * An export as bytes: the egress pipeline's objects for this principal, written by the exporter. Nothing is
 * read until the caller pulls, and memory stays at one page of objects plus one chunk.
 */
export function runExport(opts: RunExportOptions): { chunks: AsyncIterable<Buffer>; objectsRead(): number } {
  const source = exportSource({ knex: opts.knex, registry: opts.registry, principal: opts.principal, filter: opts.filter })
  const ctx = { recipientOrgId: opts.principal.orgId, options: opts.options, collectionOf: source.collectionOf }
  return { chunks: coalesce(opts.exporter.write(source.objects, ctx)), objectsRead: source.count }
}

/** `attachment; filename="crisp-export-<format>-<date>.<ext>"` */
export function attachmentName(exporter: Exporter, now = new Date()): string {
  return `crisp-export-${exporter.format}-${now.toISOString().slice(0, 19).replace(/[:T]/g, '')}.${exporter.fileExtension}`
}
