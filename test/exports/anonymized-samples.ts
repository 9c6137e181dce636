/**
 * The export samples as the built-in `trust-levels` strategy sends them to a partner, so exporter tests read
 * what partners really receive (`ISSUBSET` networks, `.invalid` pseudonyms) rather than hand-written guesses.
 */
import type { StixObject } from '../../core/plugin-api/index.js'
import trustLevels from '../../plugins/anonymize-trust-levels/index.js'
import { createAnonymizationStrategy } from '../contract/anonymization-strategy.js'
import { sampleObjects } from './samples.js'

export const PREFIX_LEVELS = ['low', 'medium', 'high'] as const
export type PrefixLevel = (typeof PREFIX_LEVELS)[number]

/**
 * The networks the samples' indicator addresses (198.51.100.7, 203.0.113.0/24, 2001:db8::1) become at each
 * level, in the order the samples name them: the prefix lengths of docs/anonymization.md.
 */
export const SAMPLE_PREFIXES: Readonly<Record<PrefixLevel, readonly string[]>> = {
  low: ['198.51.100.0/24', '203.0.113.0/24', '2001:db8::/64'],
  medium: ['198.51.0.0/16', '203.0.0.0/16', '2001:db8::/48'],
  high: ['198.0.0.0/8', '203.0.0.0/8', '2001:db8::/32'],
}

const strategy = createAnonymizationStrategy(trustLevels)

/** `sampleObjects` anonymized for a partner at `level`; withheld objects are left out, as egress does. */
export async function anonymizedSamples(level: PrefixLevel): Promise<StixObject[]> {
  const anonymizer = await strategy
  const ctx = { level, producerOrgId: 'org-producer', recipientOrgId: 'org-partner' }
  return sampleObjects.flatMap((obj) => anonymizer.anonymize(obj, ctx) ?? [])
}
