import t from 'tap'
import { createExporter, exportContext, exportToText, runExporterContract } from '../../test/contract/exporter.js'
import { anonymizedSamples, PREFIX_LEVELS, SAMPLE_PREFIXES } from '../../test/exports/anonymized-samples.js'
import { parseCsv } from '../../test/exports/rfc4180.js'
import { sampleObjects } from '../../test/exports/samples.js'
import { csvCell } from './csv-cell.js'
import definition from './index.js'

t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))

t.test('csvCell quotes per RFC 4180 and neutralises formulas', async (t) => {
  t.equal(csvCell('plain'), 'plain')
  t.equal(csvCell('a,b'), '"a,b"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('two\r\nlines'), '"two\r\nlines"')
  for (const lead of ['=', '+', '-', '@', '\t', '\r'])
    t.match(csvCell(`${lead}1+1`), /^"?'/, `neutralises ${JSON.stringify(lead)}`)
  t.equal(csvCell(''), '')
})

t.test('parses back with an RFC 4180 reader to the same values', async (t) => {
  const exporter = await createExporter(definition)
  const ctx = exportContext(
    exporter,
    {},
    { collectionOf: (o) => (o.type === 'indicator' ? 'Phishing, "daily"' : undefined) },
  )
  const rows = parseCsv(await exportToText(exporter, sampleObjects, ctx))
  t.same(rows[0], [
    'value',
    'type',
    'labels',
    'confidence',
    'tlp',
    'valid_from',
    'valid_until',
    'source_collection',
    'stix_id',
  ])
  const body = rows.slice(1)
  t.ok(
    body.every((r) => r.length === 9),
    'every row has nine cells',
  )
  t.same(body[0], [
    '198.51.100.7',
    'ipv4-addr',
    'malicious-activity;c2',
    '80',
    'amber',
    '2024-03-05T10:00:00.000Z',
    '2025-03-05T10:00:00.000Z',
    'Phishing, "daily"',
    'indicator--00000000-0000-4000-8000-000000000001',
  ])
  t.same(
    body.map((r) => r[0]),
    [
      '198.51.100.7',
      'evil.example',
      'http://Bad.example:8080/a/b?c=d;e',
      'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f',
      '44d88612fea8a8f36de82e1278abb02f',
      '203.0.113.0/24',
      '198.51.100.7',
      '2001:db8::1',
      "'=cmd|' /C calc'!A0",
      'bad@evil.example',
      '192.0.2.1',
      'Evil.example',
      'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F',
      'dropper.exe',
    ],
    'one row per value; LIKE and != comparisons and non-observables give none',
  )
  t.equal(body[8][2], "'+injection;@x", 'a label cell starting with + is neutralised')
  t.equal(body[1][4], 'green')
})

t.test('header can be switched off', async (t) => {
  const exporter = await createExporter(definition, { header: false })
  t.match(exporter.mediaType, /header=absent/)
  const rows = parseCsv(await exportToText(exporter, sampleObjects.slice(0, 1), exportContext(exporter)))
  t.same(
    rows.map((r) => r[0]),
    ['198.51.100.7'],
  )
})

t.test(
  'what a partner receives at low, medium and high: networks as cidr rows, pseudonyms labelled as such',
  async (t) => {
    const exporter = await createExporter(definition, { header: false })
    for (const level of PREFIX_LEVELS) {
      const rows = parseCsv(await exportToText(exporter, await anonymizedSamples(level), exportContext(exporter)))
      const indicatorNetworks = rows
        .filter((r) => r[8].startsWith('indicator--') && r[1].endsWith('-cidr'))
        .map((r) => r[0])
      t.same(new Set(indicatorNetworks), new Set(SAMPLE_PREFIXES[level]), `${level}: every indicator network has a row`)
      t.ok(
        rows.filter((r) => r[0].includes('/') && /^ipv[46]-/.test(r[1])).every((r) => r[1].endsWith('-cidr')),
        `${level}: no network is typed as one address`,
      )
      const pseudonyms = rows.filter((r) => r[0].includes('.invalid'))
      t.ok(
        pseudonyms.every((r) => r[1].startsWith('pseudonym-')),
        `${level}: every .invalid value is typed as a pseudonym`,
      )
      t.same(
        rows.filter((r) => r[1].startsWith('pseudonym-')),
        pseudonyms,
        `${level}: and nothing else is`,
      )
    }
    const medium = parseCsv(await exportToText(exporter, await anonymizedSamples('medium'), exportContext(exporter)))
    t.same(
      new Set(medium.filter((r) => r[1].startsWith('pseudonym-')).map((r) => r[1])),
      new Set(['pseudonym-domain-name', 'pseudonym-url', 'pseudonym-email-addr']),
    )
    const low = parseCsv(await exportToText(exporter, await anonymizedSamples('low'), exportContext(exporter)))
    t.ok(
      low.some((r) => r[0] === 'evil.example' && r[1] === 'domain-name'),
      'a domain kept at low stays a domain',
    )
  },
)
