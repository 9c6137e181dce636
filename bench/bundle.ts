import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { StixObject } from '../core/stix/types.js'

const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const TS = '2024-03-01T09:00:00.000Z'
const FILLER = 'Observed in several intrusion sets; infrastructure rotates weekly. '

/**
 * Indicator number `i` of a generated feed: a valid TLP:GREEN indicator with a deterministic id (the same `i`
 * gives the same object, so a second run of a feed is unchanged data). `descriptionChars` pads it with a
 * description: 0 gives ≈ 420 bytes of JSON, 580 ≈ 1,000 bytes.
 */
export function benchIndicator(i: number, descriptionChars = 0): StixObject {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const indicator: StixObject = {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--62656e63-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`,
    created: TS,
    modified: TS,
    name: `ip ${ip}`,
    pattern: `[ipv4-addr:value = '${ip}']`,
    pattern_type: 'stix',
    valid_from: TS,
    labels: ['malicious-activity'],
    object_marking_refs: [GREEN],
  }
  if (descriptionChars > 0)
    indicator.description = `C2 server ${ip}. ${FILLER.repeat(Math.ceil(descriptionChars / FILLER.length))}`.slice(
      0,
      descriptionChars,
    )
  return indicator
}

/** Writes a STIX bundle of `count` objects to `file`, streaming (the bundle may be larger than memory). */
export async function writeBundle(file: string, count: number, objectAt: (i: number) => StixObject): Promise<void> {
  const out = createWriteStream(file)
  out.write('{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[')
  for (let i = 0; i < count; i++)
    if (!out.write(`${i ? ',' : ''}${JSON.stringify(objectAt(i))}`)) await once(out, 'drain')
  out.end(']}')
  await once(out, 'finish')
}
