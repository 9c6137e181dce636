import { isIP } from 'node:net'
import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import { createExporter, exportContext, exportToText, runExporterContract } from '../../test/contract/exporter.js'
import { sampleObjects } from '../../test/exports/samples.js'
import { createDeduper } from './dedupe.js'
import definition from './index.js'
import { blocklistEntry } from './kinds.js'

t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))

const ind = (n: number, pattern: string): StixObject => ({ ...sampleObjects[0], id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, pattern })
const objects = [
  ...sampleObjects,
  ...sampleObjects,
  ind(20, "[ipv4-addr:value = '198.51.100.7/32'] OR [ipv4-addr:value = '10.0.0.0/33'] OR [ipv4-addr:value = '300.1.1.1']"),
  ind(21, "[domain-name:value = 'EVIL.example.'] OR [domain-name:value = 'bad domain.example'] OR [domain-name:value = 'x\\nevil.example']"),
  ind(22, "[url:value = 'javascript:alert(1)'] OR [url:value = 'https://ok.example/path']"),
  ind(23, "[file:hashes.MD5 = 'zz88612fea8a8f36de82e1278abb02f0'] OR [file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']"),
]

async function list(kind?: string, config: Record<string, unknown> = {}): Promise<string[]> {
  const exporter = await createExporter(definition, config)
  const text = await exportToText(exporter, objects, exportContext(exporter, kind ? { kind } : {}))
  t.ok(text === '' || text.endsWith('\n'))
  return text.split('\n').filter((l) => l !== '')
}

t.test('only valid values of the kind, each once, from indicators only', async (t) => {
  t.same(await list('ip'), ['198.51.100.7', '2001:db8::1'])
  t.same(await list('cidr'), ['198.51.100.7/32', '203.0.113.0/24', '2001:db8::1/128'])
  t.same(await list('domain'), ['evil.example'])
  t.same(await list('url'), ['http://Bad.example:8080/a/b?c=d;e', 'https://ok.example/path'])
  t.same(await list('sha256'), ['aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'])
  t.same(await list('md5'), ['44d88612fea8a8f36de82e1278abb02f'])
  for (const ip of await list('ip')) t.ok(isIP(ip), ip)
})

t.test('the configured kind applies when the request names none', async (t) => {
  t.same(await list(undefined, { kind: 'md5' }), ['44d88612fea8a8f36de82e1278abb02f'])
})

t.test('options outside the schema are refused', async (t) => {
  const exporter = await createExporter(definition)
  t.throws(() => exportContext(exporter, { kind: 'email' }))
})

t.test('values never carry line breaks', async (t) => {
  t.equal(blocklistEntry('url', { kind: 'url', value: 'http://a.example/\nhttp://b.example/' }), null)
  t.equal(blocklistEntry('domain', { kind: 'domain-name', value: 'a.example\r' }), null)
})

t.test('dedupe memory is bounded; beyond the cap values may repeat but are never dropped', async (t) => {
  const d = createDeduper(2)
  t.same(['a', 'b', 'a', 'c', 'c', 'b'].map((v) => d.firstTime(v)), [true, true, false, true, true, false])
  const long = createDeduper(10)
  const url = `https://x.example/${'p'.repeat(100)}`
  t.same([long.firstTime(url), long.firstTime(url)], [true, false])
})
