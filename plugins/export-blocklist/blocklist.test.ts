import { isIP } from 'node:net'
import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import { createExporter, exportContext, exportToText, runExporterContract } from '../../test/contract/exporter.js'
import { anonymizedSamples, PREFIX_LEVELS, SAMPLE_PREFIXES } from '../../test/exports/anonymized-samples.js'
import { sampleObjects } from '../../test/exports/samples.js'
import { createDeduper } from './dedupe.js'
import definition from './index.js'
import { blocklistEntry } from './kinds.js'

t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))

const ind = (n: number, pattern: string): StixObject => ({
  ...sampleObjects[0],
  id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  pattern,
})
const objects = [
  ...sampleObjects,
  ...sampleObjects,
  ind(
    20,
    "[ipv4-addr:value = '198.51.100.7/32'] OR [ipv4-addr:value = '10.0.0.0/33'] OR [ipv4-addr:value = '300.1.1.1']",
  ),
  ind(
    21,
    "[domain-name:value = 'EVIL.example.'] OR [domain-name:value = 'bad domain.example'] OR [domain-name:value = 'x\\nevil.example']",
  ),
  ind(22, "[url:value = 'javascript:alert(1)'] OR [url:value = 'https://ok.example/path']"),
  ind(
    23,
    "[file:hashes.MD5 = 'zz88612fea8a8f36de82e1278abb02f0'] OR [file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']",
  ),
]

async function list(kind?: string, config: Record<string, unknown> = {}, input = objects): Promise<string[]> {
  const exporter = await createExporter(definition, config)
  const text = await exportToText(exporter, input, exportContext(exporter, kind ? { kind } : {}))
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

t.test('what a partner receives at low, medium and high: its networks under cidr, never a pseudonym', async (t) => {
  for (const level of PREFIX_LEVELS) {
    const input = await anonymizedSamples(level)
    t.same(await list('cidr', {}, input), SAMPLE_PREFIXES[level], `${level}: cidr lists every network`)
    t.same(await list('ip', {}, input), [], `${level}: a network wider than one host is no ip line`)
    const names = [...(await list('domain', {}, input)), ...(await list('url', {}, input))]
    t.notOk(
      names.some((line) => line.includes('.invalid')),
      `${level}: no pseudonym`,
    )
    t.same(await list('domain', {}, input), level === 'low' ? ['evil.example'] : [], `${level}: only real domains`)
  }
})

t.test('the configured kind applies when the request names none', async (t) => {
  t.same(await list(undefined, { kind: 'md5' }), ['44d88612fea8a8f36de82e1278abb02f'])
})

t.test('options outside the schema are refused', async (t) => {
  const exporter = await createExporter(definition)
  t.throws(() => exportContext(exporter, { kind: 'email' }))
})

t.test('values never carry line breaks', async (t) => {
  t.equal(blocklistEntry('url', { kind: 'url', value: 'http://a.example/\nhttp://b.example/', pseudonym: false }), null)
  t.equal(blocklistEntry('domain', { kind: 'domain-name', value: 'a.example\r', pseudonym: false }), null)
})

t.test('dedupe memory is bounded; beyond the cap values may repeat but are never dropped', async (t) => {
  const d = createDeduper(2)
  t.same(
    ['a', 'b', 'a', 'c', 'c', 'b'].map((v) => d.firstTime(v)),
    [true, true, false, true, true, false],
  )
  const long = createDeduper(10)
  const url = `https://x.example/${'p'.repeat(100)}`
  t.same([long.firstTime(url), long.firstTime(url)], [true, false])
})
