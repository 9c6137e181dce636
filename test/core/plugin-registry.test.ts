import t from 'tap'
import { createRegistry, PluginLoadError } from '../../core/registry/registry.js'
import { createLogger } from '../../core/infra/logger.js'
import { defineExporter, defineAnonymizationStrategy, Type } from '../../core/plugin-api/index.js'
import { ROOT } from '../helper.js'

const log = createLogger({ level: 'silent' })
const secrets = { anonymizationKey: 'k'.repeat(40) }

const passThrough = defineAnonymizationStrategy({
  id: 'pass-through',
  apiVersion: 1,
  version: '1.0.0',
  description: 'Test strategy',
  configSchema: Type.Object({}),
  create: () => ({ anonymize: (o) => o }),
})

const csvLike = defineExporter({
  id: 'csv',
  apiVersion: 1,
  version: '1.0.0',
  description: 'Test exporter',
  configSchema: Type.Object({
    delimiter: Type.String({ default: ',' }),
    quote: Type.String({ default: '"', maxLength: 1 }),
  }),
  create: () => ({ format: 'csv', mediaType: 'text/csv', fileExtension: 'csv', write: async function* () {} }),
})

const load = (builtins: unknown[], plugins: unknown[] = []) =>
  createRegistry({
    builtins: builtins as never,
    pluginsFile: { plugins: plugins as never },
    baseDir: ROOT,
    log,
    secrets,
  })

t.test('loads built-ins with defaults applied and lists them', async (t) => {
  const registry = await load([passThrough, csvLike])
  t.same(
    registry.list().map((p) => `${p.kind}:${p.id}`),
    ['anonymization-strategy:pass-through', 'exporter:csv'],
  )
  t.equal(registry.defaultAnonymizer().id, 'pass-through')
  t.equal(registry.get('exporter', 'csv')?.version, '1.0.0')
})

t.test('every config problem of every plugin is reported in one error', async (t) => {
  const err = await load(
    [passThrough, csvLike],
    [{ kind: 'exporter', id: 'csv', config: { delimiter: 5, quote: 'too long' } }],
  ).catch((e) => e)
  t.type(err, PluginLoadError)
  t.match(err.message, 'exporter:csv: /delimiter: expected string')
  t.match(err.message, 'exporter:csv: /quote:')
  t.equal(err.problems.length, 2)
})

t.test('wrong apiVersion, bad id and duplicates fail boot with precise messages', async (t) => {
  const err = await load([passThrough, { ...csvLike, apiVersion: 2 }, { ...csvLike, id: 'Bad_Id' }, passThrough]).catch(
    (e) => e,
  )
  t.type(err, PluginLoadError)
  t.match(err.message, /exporter:csv \(builtin\): apiVersion 2 is not supported \(this core implements 1\)/)
  t.match(err.message, /exporter:Bad_Id \(builtin\): id must be kebab-case/)
  t.match(err.message, /anonymization-strategy:pass-through: duplicate plugin id/)
})

t.test('a third-party plugin loads by path from the plugins file', async (t) => {
  const registry = await load([passThrough], [{ from: './test/fixtures/exporter-ndjson/index.ts' }])
  const ndjson = registry.get('exporter', 'ndjson')
  t.ok(ndjson)
  t.equal(ndjson?.source, './test/fixtures/exporter-ndjson/index.ts')
  async function* two() {
    yield { type: 'x', id: 'x--1' }
    yield { type: 'y', id: 'y--2' }
  }
  const chunks: string[] = []
  for await (const c of ndjson!.impl.write(two(), { recipientOrgId: 'o', options: {} })) chunks.push(String(c))
  t.equal(chunks.join(''), '{"type":"x","id":"x--1"}\n{"type":"y","id":"y--2"}\n')
})

t.test('unloadable third-party plugins and unknown built-ins are reported', async (t) => {
  const err = await load(
    [passThrough],
    [{ from: './test/fixtures/does-not-exist.ts' }, { kind: 'exporter', id: 'nope' }],
  ).catch((e) => e)
  t.match(err.message, /does-not-exist\.ts: cannot load plugin/)
  t.match(err.message, /no built-in plugin exporter:nope/)
})

t.test('a third-party strategy replaces the default by config', async (t) => {
  const registry = await createRegistry({
    builtins: [passThrough] as never,
    pluginsFile: {
      plugins: [{ from: './test/fixtures/anonymize-strip-text/index.ts' }],
      defaults: { 'anonymization-strategy': 'strip-text' },
    },
    baseDir: ROOT,
    log,
    secrets,
  })
  const strategy = registry.defaultAnonymizer()
  t.equal(strategy.id, 'strip-text')
  const out = strategy.impl.anonymize(
    { type: 'indicator', id: 'indicator--1', description: 'secret' },
    { level: 'medium', producerOrgId: 'a', recipientOrgId: 'b' },
  )
  t.notOk(out && 'description' in out)
})

t.test('no anonymization strategy at all fails boot', async (t) => {
  const err = await load([csvLike]).catch((e) => e)
  t.match(err.message, /no anonymization-strategy plugin "trust-levels"/)
})
