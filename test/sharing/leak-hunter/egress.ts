/**
 * The unit-level egress: the platform's own registry of built-in plugins (so a new exporter is covered the
 * day it is registered), its default anonymization strategy, and every exporter run with every value of its
 * enumerated options (e.g. each blocklist kind). REST and TAXII send the objects as JSON: `JSON.stringify`.
 */
import type { TSchema } from '@sinclair/typebox'
import type { AnonymizationStrategy, Exporter, StixObject } from '../../../core/plugin-api/index.js'
import { createRegistry } from '../../../core/registry/registry.js'
import { builtinPlugins } from '../../../plugins/index.js'
import { exportContext, exportToText } from '../../contract/exporter.js'
import { ROOT } from '../../paths.js'
import type { Level } from './canaries.js'

export interface Output {
  channel: string
  text: string
}

export interface Egress {
  /** Channel names, in the order `outputs` returns them. */
  channels: readonly string[]
  /** What a recipient at `level` receives of `objects` on every channel; failures are outputs too. */
  outputs(objects: readonly StixObject[], level: Level): Promise<{ outputs: Output[]; errors: string[] }>
}

export const JSON_CHANNEL = 'REST/TAXII JSON'
const PRODUCER = '00000000-0000-4000-8000-00000000000a'
const RECIPIENT = '00000000-0000-4000-8000-00000000000b'
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }

/** Every combination of the exporter's enumerated options (union-of-literal properties); one empty set without. */
export function optionVariants(schema: TSchema | undefined): Record<string, unknown>[] {
  let variants: Record<string, unknown>[] = [{}]
  for (const [name, prop] of Object.entries((schema?.properties ?? {}) as Record<string, TSchema>)) {
    const values =
      Array.isArray(prop.anyOf) && prop.anyOf.every((b: TSchema) => 'const' in b)
        ? prop.anyOf.map((b: TSchema) => b.const)
        : null
    if (values) variants = variants.flatMap((v) => values.map((value: unknown) => ({ ...v, [name]: value })))
  }
  return variants
}

export async function createEgress(options: { anonymizationKey?: string } = {}): Promise<Egress> {
  const registry = await createRegistry({
    builtins: builtinPlugins,
    pluginsFile: { plugins: [] },
    baseDir: ROOT,
    log: quiet,
    secrets: { anonymizationKey: options.anonymizationKey ?? 'leak-hunter-anonymization-key-0123456789' },
  })
  const strategy: AnonymizationStrategy = registry.defaultAnonymizer().impl
  const exporters: { name: string; exporter: Exporter; options: Record<string, unknown> }[] = registry
    .byKind('exporter')
    .flatMap((p) =>
      optionVariants(p.impl.optionsSchema).map((o) => ({
        name: [p.id, ...Object.values(o)].join(':'),
        exporter: p.impl,
        options: o,
      })),
    )
  return {
    channels: [JSON_CHANNEL, ...exporters.map((e) => e.name)],
    async outputs(objects, level) {
      const errors: string[] = []
      const released: StixObject[] = []
      for (const o of objects) {
        try {
          // A copy per call: a strategy that mutated its input would otherwise hide leaks from the next level.
          const out = strategy.anonymize(structuredClone(o), {
            level,
            producerOrgId: PRODUCER,
            recipientOrgId: RECIPIENT,
          })
          if (out) released.push(out)
        } catch (err) {
          errors.push(`strategy at ${level} threw on ${o.type}: ${(err as Error).message}`)
        }
      }
      const outputs: Output[] = [{ channel: JSON_CHANNEL, text: released.map((o) => JSON.stringify(o)).join('\n') }]
      for (const e of exporters) {
        try {
          const ctx = exportContext(e.exporter, e.options, {
            recipientOrgId: RECIPIENT,
            collectionOf: () => 'Shared intel',
          })
          outputs.push({ channel: e.name, text: await exportToText(e.exporter, released, ctx) })
        } catch (err) {
          errors.push(`exporter ${e.name} at ${level} threw: ${(err as Error).message}`)
        }
      }
      return { outputs, errors }
    },
  }
}
