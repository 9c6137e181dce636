import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createExporter, exportContext, exportToText, runExporterContract } from '../../test/contract/exporter.js'
import { anonymizedSamples, PREFIX_LEVELS, SAMPLE_PREFIXES } from '../../test/exports/anonymized-samples.js'
import { sampleObjects } from '../../test/exports/samples.js'
import definition from './index.js'
import { contentBytes, escapeMsg } from './rule-text.js'
import { checkRule } from './rule-syntax.test-helper.js'

t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))

const rulesOf = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'))

t.test('escaping keeps values out of the rule syntax', async (t) => {
  t.equal(escapeMsg('a"b;c\\d\ne'), 'a\\"b\\;c\\\\d?e')
  t.equal(contentBytes('/a;b"c|d'), '/a|3b|b|22|c|7c|d')
  t.equal(contentBytes(';;'), '|3b 3b|')
  t.equal(contentBytes('é'), '|c3 a9|')
})

t.test('rules for IP, domain and URL indicators, syntactically valid, sids from the configured start', async (t) => {
  const exporter = await createExporter(definition, { sidStart: 5000, messagePrefix: 'ACME "intel"' })
  const text = await exportToText(exporter, sampleObjects, exportContext(exporter))
  const rules = rulesOf(text)
  const checked = rules.map(checkRule)
  t.same(
    checked.flatMap((c) => c.problems),
    [],
  )
  t.same(
    checked.map((c) => c.sid),
    rules.map((_, i) => 5000 + i),
    'sids are consecutive from sidStart',
  )
  t.equal(
    rules[0],
    'alert ip any any <> 198.51.100.7 any (msg:"ACME \\"intel\\" IP indicator 198.51.100.7"; metadata:stix_id indicator--00000000-0000-4000-8000-000000000001; sid:5000; rev:1;)',
  )
  t.match(rules[1], /^alert dns .*dns\.query; dotprefix; content:"\.evil\.example"; nocase; endswith;/)
  t.match(rules[2], /^alert tls .*tls\.sni; dotprefix; content:"\.evil\.example"; nocase; endswith;/)
  t.match(
    rules[3],
    /http\.host; content:"bad\.example"; bsize:11; http\.uri\.raw; content:"\/a\/b\?c=d\|3b\|e"; startswith;/,
  )
  t.ok(
    rules.some((r) => r.includes('<> 203.0.113.0/24 any')),
    'CIDR prefixes are accepted',
  )
  t.ok(rules.some((r) => r.includes('<> 2001:db8::1 any')))
  t.notOk(
    rules.some((r) => r.includes('192.0.2.1')),
    'plain observables give no rule',
  )
  t.match(text, /# 2 file-hash value\(s\) not written/)
})

t.test('what a partner receives at low, medium and high: rules on its networks, none on a pseudonym', async (t) => {
  const exporter = await createExporter(definition)
  for (const level of PREFIX_LEVELS) {
    const text = await exportToText(exporter, await anonymizedSamples(level), exportContext(exporter))
    const rules = rulesOf(text)
    const checked = rules.map(checkRule)
    t.same(
      checked.flatMap((c) => c.problems),
      [],
      `${level}: valid rules`,
    )
    t.equal(new Set(checked.map((c) => c.sid)).size, rules.length, `${level}: distinct sids`)
    const networks = rules.flatMap((r) => /^alert ip any any <> (\S+) any /.exec(r)?.[1] ?? [])
    t.same(new Set(networks), new Set(SAMPLE_PREFIXES[level]), `${level}: one rule per network`)
    t.notOk(
      rules.some((r) => r.includes('invalid')),
      `${level}: no rule names a pseudonym`,
    )
    if (level === 'low')
      t.ok(
        rules.some((r) => r.includes('content:".evil.example"')),
        'low: a kept domain still gets its rules',
      )
    else t.match(text, /# 2 pseudonymized value\(s\) not written/, `${level}: the skipped domain and URL are counted`)
  }
})

t.test('the sid range is never exceeded', async (t) => {
  const exporter = await createExporter(definition, { sidStart: 10, sidEnd: 12 })
  const text = await exportToText(exporter, sampleObjects, exportContext(exporter))
  t.same(
    rulesOf(text).map((r) => checkRule(r).sid),
    [10, 11, 12],
  )
  t.match(text, /rule\(s\) not written: the sid range 10-12 is exhausted/)
})

t.test('a reversed sid range is refused at boot', async (t) => {
  await t.rejects(createExporter(definition, { sidStart: 10, sidEnd: 9 }), /sidEnd/)
})

const hasSuricata = spawnSync('suricata', ['-V']).status === 0
t.test(
  'suricata -T accepts the rules',
  {
    skip: hasSuricata
      ? false
      : 'suricata is not installed (Debian package "suricata"); the structural check above still ran',
  },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'crisp-suricata-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const exporter = await createExporter(definition)
    writeFileSync(join(dir, 'crisp.rules'), await exportToText(exporter, sampleObjects, exportContext(exporter)))
    writeFileSync(join(dir, 'suricata.yaml'), '%YAML 1.1\n---\ndefault-log-dir: ' + dir + '\n')
    const out = execFileSync(
      'suricata',
      ['-T', '-c', join(dir, 'suricata.yaml'), '-S', join(dir, 'crisp.rules'), '-l', dir],
      { encoding: 'utf8' },
    )
    t.pass(out.split('\n').slice(-3).join(' '))
  },
)
