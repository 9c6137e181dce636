/** Shared by this plugin's tests and the docs example generator: a strategy instance and sample builders. */
import type { AnonymizationLevel, AnonymizationStrategy, StixObject } from '../../core/plugin-api/index.js'
import { createTrustLevelsStrategy } from './strategy.js'
import type { PseudonymScope } from './pseudonym.js'

export const TEST_KEY = 'test-anonymization-key-0123456789abcdef'
export const LEVELS_BELOW_NONE = ['low', 'medium', 'high', 'full'] as const
const T = '2016-04-06T20:03:48.000Z'

export function strategyFor(options: { secret?: string; scope?: PseudonymScope } = {}): AnonymizationStrategy {
  return createTrustLevelsStrategy({
    secret: options.secret ?? TEST_KEY,
    pseudonymScope: options.scope ?? 'platform',
    preserveLabels: false,
  })
}

export function ctx(level: AnonymizationLevel, recipientOrgId = 'org-recipient') {
  return { level, producerOrgId: 'org-producer', recipientOrgId }
}

/** An SCO of `type` with a fixed (value-independent) id: the id mapping must still hide the value. */
export function sco(type: string, props: Record<string, unknown>): StixObject {
  return { type, spec_version: '2.1', id: `${type}--00abedb4-aa42-553b-950e-1cd49fd8c65b`, ...props }
}

export function indicator(pattern: string, extra: Record<string, unknown> = {}): StixObject {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    created: T,
    modified: T,
    pattern,
    pattern_type: 'stix',
    valid_from: T,
    ...extra,
  }
}

/** A string literal inside a STIX pattern. */
export function quote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`
}
