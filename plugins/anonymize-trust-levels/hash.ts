import type { AnonymizeEnv } from './policy.js'
import { scrubText } from './text.js'

/**
 * File hashes identify malware, not people: kept at low and medium. At high and full they become keyed hex
 * of the same length, which keeps the OASIS hash patterns valid and lets recipients still correlate; they
 * look like real digests, which is why the level is stated on every object (the anonymization extension).
 */
const HEX = /^[0-9a-fA-F]+$/
const SSDEEP = 'SSDEEP'
const TLSH = 'TLSH'

export function anonymizeHash(algorithm: string, value: string, env: AnonymizeEnv): string {
  if (!env.policy.pseudonymizeHashes) return value
  const normalized = value.toLowerCase()
  if (algorithm.toUpperCase() === SSDEEP) return `3:${env.p.label('ssdeep', value)}:${env.p.label('ssdeep2', value)}`
  if (algorithm.toUpperCase() === TLSH) return env.p.hex('hash', normalized, 70)
  const length = HEX.test(value) ? value.length : 64
  return env.p.hex('hash', normalized, length)
}

/** Below high a digest is kept; anything else a producer put in a hashes dictionary is scrubbed like text. */
const DIGEST = /^(?:[0-9a-f]+|\d+:[a-z0-9/+]+:[a-z0-9/+]+)$/i

export function anonymizeHashes(hashes: Record<string, unknown>, env: AnonymizeEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [algorithm, value] of Object.entries(hashes)) {
    if (typeof value !== 'string') continue
    const rewritten = env.policy.pseudonymizeHashes
      ? anonymizeHash(algorithm, value, env)
      : DIGEST.test(value)
        ? value
        : scrubText(value, env)
    out[scrubText(algorithm, env)] = rewritten
  }
  return out
}
