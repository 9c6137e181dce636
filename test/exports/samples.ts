/** Valid STIX 2.1 objects exporters are tested with: indicators of every value kind, observables, and noise. */
import type { StixObject } from '../../core/plugin-api/index.js'

export const TLP_AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'
export const TLP_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const T = '2024-03-05T10:00:00.000Z'

function indicator(n: number, pattern: string, extra: Record<string, unknown> = {}): StixObject {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    created: T,
    modified: T,
    name: `Indicator ${n}`,
    pattern,
    pattern_type: 'stix',
    valid_from: T,
    ...extra,
  }
}

export const sampleObjects: StixObject[] = [
  indicator(1, "[ipv4-addr:value = '198.51.100.7']", {
    labels: ['malicious-activity', 'c2'],
    confidence: 80,
    valid_until: '2025-03-05T10:00:00.000Z',
    object_marking_refs: [TLP_AMBER],
  }),
  indicator(2, "[domain-name:value = 'evil.example'] OR [url:value = 'http://Bad.example:8080/a/b?c=d;e']", {
    labels: ['phishing'],
    object_marking_refs: [TLP_GREEN],
  }),
  indicator(
    3,
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']",
  ),
  indicator(4, "[ipv4-addr:value IN ('203.0.113.0/24', '198.51.100.7')] AND [ipv6-addr:value = '2001:db8::1']"),
  indicator(5, "[file:name = '=cmd|\\' /C calc\\'!A0'] AND [email-message:from_ref.value = 'bad@evil.example']", {
    labels: ['+injection', '@x'],
  }),
  indicator(6, "[domain-name:value != 'good.example'] AND [url:value LIKE 'http://%']"),
  { type: 'ipv4-addr', spec_version: '2.1', id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', value: '192.0.2.1' },
  {
    type: 'domain-name',
    spec_version: '2.1',
    id: 'domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5',
    value: 'Evil.example',
  },
  {
    type: 'file',
    spec_version: '2.1',
    id: 'file--6f2d6a1a-3f1c-5b3c-8a0e-8c9f5b1a2d3e',
    name: 'dropper.exe',
    hashes: { 'SHA-256': 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F' },
  },
  {
    type: 'malware',
    spec_version: '2.1',
    id: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
    created: T,
    modified: T,
    name: 'Not a value',
    is_family: true,
  },
]
