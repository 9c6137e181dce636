import type { AnonymizationLevel } from '../../core/plugin-api/index.js'
import type { Pseudonymizer } from './pseudonym.js'

/** What one level does to each kind of value: the single source of the table in docs/anonymization.md. */
export interface LevelPolicy {
  level: Exclude<AnonymizationLevel, 'none'>
  /** IPv4 / IPv6 prefix kept; null = replaced by a keyed address in a reserved range. */
  ipv4Prefix: number | null
  ipv6Prefix: number | null
  /** Domains (and URL hosts, email domains) become `<pseudonym>.invalid`. */
  pseudonymizeDomains: boolean
  /** File names and directory paths become pseudonyms. */
  pseudonymizeFileNames: boolean
  /** File hashes become keyed hex of the same length (malware hashes are not personal data below high). */
  pseudonymizeHashes: boolean
  /** Non-STIX patterns (YARA, Snort…) cannot be rewritten structurally: scrubbed as text at low, withheld above. */
  keepForeignPatterns: boolean
  /** Street address and postal code of locations are dropped (a victim's premises). */
  dropStreetAddress: boolean
  /** Optional free text (descriptions, abstracts, explanations…) is dropped. */
  dropFreeText: boolean
  /** The producer and every other identity become one anonymous identity; `created_by_ref` points at it. */
  anonymousIdentity: boolean
  /** Custom `x_*` properties are dropped (they carry producer-specific tooling details). */
  dropCustomProperties: boolean
  /** Labels are dropped unless the `preserveLabels` option is set. */
  dropLabels: boolean
}

const BASE = {
  pseudonymizeDomains: true,
  pseudonymizeFileNames: true,
  keepForeignPatterns: false,
  dropStreetAddress: true,
  dropFreeText: false,
  anonymousIdentity: false,
  dropCustomProperties: false,
  dropLabels: false,
} as const

export const LEVEL_POLICIES: Readonly<Record<LevelPolicy['level'], LevelPolicy>> = {
  low: {
    ...BASE,
    level: 'low',
    ipv4Prefix: 24,
    ipv6Prefix: 64,
    pseudonymizeDomains: false,
    pseudonymizeFileNames: false,
    pseudonymizeHashes: false,
    keepForeignPatterns: true,
    dropStreetAddress: false,
  },
  medium: { ...BASE, level: 'medium', ipv4Prefix: 16, ipv6Prefix: 48, pseudonymizeHashes: false },
  high: {
    ...BASE,
    level: 'high',
    ipv4Prefix: 8,
    ipv6Prefix: 32,
    pseudonymizeHashes: true,
    anonymousIdentity: true,
    dropCustomProperties: true,
  },
  full: {
    ...BASE,
    level: 'full',
    ipv4Prefix: null,
    ipv6Prefix: null,
    pseudonymizeHashes: true,
    dropFreeText: true,
    anonymousIdentity: true,
    dropCustomProperties: true,
    dropLabels: true,
  },
}

/** Everything a rewrite needs for one call: the level's policy and the recipient scope's pseudonymizer. */
export interface AnonymizeEnv {
  policy: LevelPolicy
  p: Pseudonymizer
  preserveLabels: boolean
}
