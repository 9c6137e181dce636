/**
 * Throughput of STIX indicator validation (schema + pattern parse) on one core.
 * Run: npx tsx core/stix/validator.bench.ts
 */
import { createStixValidator } from './validator.js'

const validator = createStixValidator()
const indicators = Array.from({ length: 10_000 }, (_, i) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${crypto.randomUUID()}`,
  created: '2016-04-06T20:03:48.000Z',
  modified: '2016-04-06T20:03:48.000Z',
  indicator_types: ['malicious-activity'],
  name: `C2 address ${i}`,
  pattern: `[ipv4-addr:value = '198.51.${i % 256}.${(i >> 8) % 256}'] OR [file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']`,
  pattern_type: 'stix',
  valid_from: '2016-01-01T00:00:00Z',
  object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
}))

for (const indicator of indicators) validator.validate(indicator) // warm-up (JIT)
const rounds = 10
const start = performance.now()
for (let round = 0; round < rounds; round += 1) {
  for (const indicator of indicators) {
    if (!validator.validate(indicator).ok) throw new Error('benchmark indicator is invalid')
  }
}
const seconds = (performance.now() - start) / 1000
console.log(`${Math.round((rounds * indicators.length) / seconds)} indicators/s`)
