import t from 'tap'
import { createExporter, exportContext, exportToText, runExporterContract } from '../../test/contract/exporter.js'
import { anonymizedSamples, PREFIX_LEVELS, SAMPLE_PREFIXES } from '../../test/exports/anonymized-samples.js'
import { sampleObjects } from '../../test/exports/samples.js'
import { attributeUuid } from './attributes.js'
import definition from './index.js'

t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))

/** Categories MISP's describeTypes.json allows for each type the exporter writes. */
const ALLOWED: Record<string, string[]> = {
  'ip-dst': ['Network activity', 'Payload delivery', 'External analysis'],
  domain: ['Network activity', 'Payload delivery', 'External analysis'],
  url: ['Network activity', 'Payload delivery', 'External analysis'],
  'email-src': ['Payload delivery', 'Social network'],
  md5: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'External analysis'],
  sha256: ['Payload delivery', 'Artifacts dropped', 'Payload installation', 'External analysis'],
  filename: ['Payload delivery', 'Artifacts dropped', 'Payload installation'],
  text: ['Other', 'Payload delivery', 'Network activity', 'Social network'],
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('an event with the fields MISP import requires', async (t) => {
  const exporter = await createExporter(definition, { info: 'Weekly share', threatLevelId: '2' })
  const { Event: event } = JSON.parse(await exportToText(exporter, sampleObjects, exportContext(exporter)))
  t.match(event, { info: 'Weekly share', threat_level_id: '2', analysis: '2', distribution: '0' })
  t.match(event.date, /^\d{4}-\d{2}-\d{2}$/)
  t.match(event.uuid, UUID)
  t.match(event.timestamp, /^\d+$/)
  t.equal(event.Attribute.length, 14)
  for (const a of event.Attribute) {
    t.ok(ALLOWED[a.type]?.includes(a.category), `${a.type} in ${a.category}`)
    t.match(a, { value: String, to_ids: Boolean, timestamp: /^\d+$/, comment: String })
    t.match(a.uuid, UUID)
  }
  t.equal(new Set(event.Attribute.map((a: { uuid: string }) => a.uuid)).size, 14, 'attribute uuids are distinct')
  const ip = event.Attribute[0]
  t.match(ip, {
    type: 'ip-dst',
    value: '198.51.100.7',
    to_ids: true,
    timestamp: String(Date.parse('2024-03-05T10:00:00Z') / 1000),
  })
  t.same(ip.Tag, [{ name: 'malicious-activity' }, { name: 'c2' }, { name: 'tlp:amber' }])
  const observable = event.Attribute.find((a: { value: string }) => a.value === '192.0.2.1')
  t.equal(observable.to_ids, false, 'plain observables are not marked for IDS')
  t.same(
    event.Tag.map((x: { name: string }) => x.name),
    ['malicious-activity', 'c2', 'phishing', '+injection', '@x', 'tlp:amber'],
  )
})

t.test('attribute uuids are stable across exports', async (t) => {
  t.equal(attributeUuid('indicator--x', 'url', 'a'), attributeUuid('indicator--x', 'url', 'a'))
  t.not(attributeUuid('indicator--x', 'url', 'a'), attributeUuid('indicator--x', 'url', 'b'))
})

t.test('the event tag list is bounded', async (t) => {
  const exporter = await createExporter(definition, { maxEventTags: 1 })
  const { Event: event } = JSON.parse(await exportToText(exporter, sampleObjects, exportContext(exporter)))
  t.same(
    event.Tag.map((x: { name: string }) => x.name),
    ['malicious-activity', 'tlp:amber'],
  )
})

interface Attribute {
  type: string
  category: string
  value: string
  to_ids: boolean
  comment: string
}

t.test('what a partner receives at low, medium and high: networks as ip-dst, pseudonyms as text only', async (t) => {
  const exporter = await createExporter(definition)
  for (const level of PREFIX_LEVELS) {
    const { Event: event } = JSON.parse(
      await exportToText(exporter, await anonymizedSamples(level), exportContext(exporter)),
    )
    const attributes: Attribute[] = event.Attribute
    for (const a of attributes) t.ok(ALLOWED[a.type]?.includes(a.category), `${level}: ${a.type} in ${a.category}`)
    const detected = attributes.filter((a) => a.type === 'ip-dst' && a.to_ids).map((a) => a.value)
    t.same(new Set(detected), new Set(SAMPLE_PREFIXES[level]), `${level}: every indicator network is an ip-dst for IDS`)
    const pseudonyms = attributes.filter((a) => a.value.includes('.invalid'))
    t.ok(
      pseudonyms.every((a) => a.type === 'text' && !a.to_ids && a.comment.startsWith('Pseudonymized ')),
      `${level}: pseudonyms are text, never for IDS`,
    )
    t.equal(pseudonyms.length, level === 'low' ? 0 : 4, `${level}: domain, URL, sender and domain SCO`)
  }
})
