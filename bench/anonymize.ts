/**
 * Throughput of the trust-levels anonymization strategy on one core, per level, over a realistic mix:
 * indicators with patterns, ipv4/domain/url/file/email SCOs, observed-data, sightings and reports with
 * descriptions. Values repeat like they do in feeds (a pool of 2,000 per kind), which is what the memo serves.
 * Run: npm run bench:anonymize (BENCH_LEVELS=medium,full to pick levels)
 */
import { randomUUID } from 'node:crypto'
import type { StixObject } from '../core/plugin-api/index.js'
import { ANONYMIZATION_LEVELS } from '../core/plugin-api/index.js'
import { createTrustLevelsStrategy } from '../plugins/anonymize-trust-levels/strategy.js'

const T = '2024-03-01T10:00:00.000Z'
const POOL = 2000
const ip = (i: number) => `${((i * 7) % 223) + 1}.${(i * 13) % 256}.${(i * 31) % 256}.${i % 256}`
const domain = (i: number) => `host${i}.example${i % 50}.com`
const sha256 = (i: number) => i.toString(16).padStart(8, '0').repeat(8)
const sdo = (type: string, extra: Record<string, unknown>): StixObject => ({
  type,
  spec_version: '2.1',
  id: `${type}--${randomUUID()}`,
  created: T,
  modified: T,
  created_by_ref: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff',
  ...extra,
})
/** SCO ids derive from values (UUIDv5), so in real data they repeat exactly as often as the values do. */
const scoId = (type: string, v: number) => `${type}--00000000-0000-5000-8000-${v.toString(16).padStart(12, '0')}`
const sco = (type: string, v: number, extra: Record<string, unknown>): StixObject => ({
  type,
  spec_version: '2.1',
  id: scoId(type, v),
  ...extra,
})

function objectFor(i: number): StixObject {
  const v = i % POOL
  switch (i % 10) {
    case 0:
    case 1:
      return sdo('indicator', {
        name: `C2 ${domain(v)}`,
        pattern: `[ipv4-addr:value = '${ip(v)}'] OR [domain-name:value = '${domain(v)}']`,
        pattern_type: 'stix',
        valid_from: T,
        indicator_types: ['malicious-activity'],
      })
    case 2:
      return sdo('indicator', {
        pattern: `[file:hashes.'SHA-256' = '${sha256(v)}' AND file:name = 'invoice${v}.exe']`,
        pattern_type: 'stix',
        valid_from: T,
      })
    case 3:
      return sco('ipv4-addr', v, { value: ip(v) })
    case 4:
      return sco('domain-name', v, { value: domain(v) })
    case 5:
      return sco('url', v, { value: `https://${domain(v)}/gate.php?id=${v}` })
    case 6:
      return sco('file', v, { name: `invoice${v}.exe`, hashes: { 'SHA-256': sha256(v) } })
    case 7:
      return sco('email-addr', v, { value: `user${v}@${domain(v)}` })
    case 8:
      return i % 20 === 8
        ? sdo('observed-data', {
            first_observed: T,
            last_observed: T,
            number_observed: 3,
            object_refs: [scoId('ipv4-addr', v), scoId('domain-name', v)],
          })
        : sdo('sighting', {
            sighting_of_ref: `indicator--${randomUUID()}`,
            where_sighted_refs: ['identity--f431f809-377b-45e0-aa1c-6a4751cae5ff'],
            count: 4,
          })
    default:
      return sdo('report', {
        name: `Campaign against ${domain(v)}`,
        published: T,
        report_types: ['campaign'],
        object_refs: [`indicator--${randomUUID()}`],
        description: `Phishing from user${v}@${domain(v)} delivered https://${domain(v)}/a.zip; C2 at ${ip(v)}, payload ${sha256(v)}.`,
      })
  }
}

const objects = Array.from({ length: 50_000 }, (_, i) => objectFor(i))
const strategy = createTrustLevelsStrategy({
  secret: 'bench-anonymization-key-0123456789',
  pseudonymScope: 'platform',
  preserveLabels: false,
})
const rounds = 4

console.log(`trust-levels, ${objects.length} objects × ${rounds} rounds, Node ${process.version}`)
for (const level of (process.env.BENCH_LEVELS?.split(',') ?? ANONYMIZATION_LEVELS) as typeof ANONYMIZATION_LEVELS) {
  const ctx = { level, producerOrgId: 'org-a', recipientOrgId: 'org-b' }
  for (const obj of objects) strategy.anonymize(obj, ctx) // warm-up: JIT and the pseudonym memo
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  for (let round = 0; round < rounds; round += 1) for (const obj of objects) strategy.anonymize(obj, ctx)
  const cpu = process.cpuUsage(cpuStart)
  const wall = (performance.now() - start) / 1000
  const rate = (seconds: number) =>
    Math.round((rounds * objects.length) / seconds)
      .toLocaleString('en-US')
      .padStart(10)
  // CPU time is what one core delivers even when the machine is shared; wall time shows the contention.
  console.log(
    `${level.padEnd(7)} ${rate((cpu.user + cpu.system) / 1e6)} objects/s (CPU time) ${rate(wall)} objects/s (wall)`,
  )
}
