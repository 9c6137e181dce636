import type { AnonymizationLevel } from '../plugin-api/index.js'
import { TLP_LEVELS, type Tlp } from '../stix/tlp.js'

/** How the producer (the collection's owner) relates to the reader's organization. */
export const RELATIONS = ['own', 'trusted', 'untrusted'] as const
/** `own`: the reader's organization; `trusted`: the owner has a trust relationship towards it; `untrusted`: none. */
export type Relation = (typeof RELATIONS)[number]

/** Every TLP label, and `unmarked` for a version that carries no TLP marking. */
export const TLP_CASES = [...TLP_LEVELS, 'unmarked'] as const
export type TlpCase = (typeof TLP_CASES)[number]

type WithholdReason = 'tlp-red' | 'tlp-amber-strict' | 'tlp-amber-untrusted'

const RELEASE = 'release'

/**
 * The release rule (docs/sharing.md, "Rules"), written once: for each relation, the anonymization level its
 * objects leave at and, for each TLP case, `release` or the reason it is withheld. TLP is decided first, before
 * any anonymization; the reader's role plays no part. {@link decideRelease} reads it per row, and the page
 * query's TLP filter is generated from it (`releasedTlpSql` in shared-rows.ts), so the two cannot disagree
 * (test/sharing/release-rule.test.ts checks every combination against the database).
 *
 * Levels: `as-stored` — the stored text, never parsed or rewritten (level `none`); `trust-relationship` — the
 * `anonymization_level` of the owner's trust level towards the reader; otherwise that fixed level.
 */
const RELEASE_RULE = {
  own: {
    level: 'as-stored',
    tlp: { clear: RELEASE, green: RELEASE, amber: RELEASE, 'amber+strict': RELEASE, red: RELEASE, unmarked: RELEASE },
  },
  trusted: {
    level: 'trust-relationship',
    tlp: {
      clear: RELEASE,
      green: RELEASE,
      amber: RELEASE,
      'amber+strict': 'tlp-amber-strict',
      red: 'tlp-red',
      unmarked: RELEASE,
    },
  },
  untrusted: {
    level: 'full',
    tlp: {
      clear: RELEASE,
      green: RELEASE,
      amber: 'tlp-amber-untrusted',
      'amber+strict': 'tlp-amber-strict',
      red: 'tlp-red',
      unmarked: RELEASE,
    },
  },
} as const satisfies Record<
  Relation,
  {
    level: 'as-stored' | 'trust-relationship' | AnonymizationLevel
    tlp: Record<TlpCase, typeof RELEASE | WithholdReason>
  }
>

/** The TLP cases each relation releases, in {@link TLP_CASES} order. */
export function releasedTlpCases(relation: Relation): TlpCase[] {
  const cells: Readonly<Record<TlpCase, string>> = RELEASE_RULE[relation].tlp
  return TLP_CASES.filter((tlp) => cells[tlp] === RELEASE)
}

/** How the owner of a collection relates to the reader, from the owner's trust relationship towards it. */
export function relationOf(opts: {
  ownerOrgId: string
  readerOrgId: string
  trustRelationshipLevel: AnonymizationLevel | null
}): Relation {
  if (opts.ownerOrgId === opts.readerOrgId) return 'own'
  return opts.trustRelationshipLevel === null ? 'untrusted' : 'trusted'
}

/**
 * The one anonymization level of a relation ({@link RELEASE_RULE}): resolved once per collection context, then
 * used for the stored-output variant and the strategy alike. `none` for the reader's own collections.
 */
export function resolveAnonymizationLevel(
  relation: Relation,
  trustRelationshipLevel: AnonymizationLevel | null,
): AnonymizationLevel {
  const level = RELEASE_RULE[relation].level
  if (level === 'as-stored') return 'none'
  if (level === 'trust-relationship') return trustRelationshipLevel ?? RELEASE_RULE.untrusted.level
  return level
}

export interface ReleaseInput {
  /** TLP 2.0 of the object version; null when it carries no TLP marking. */
  tlp: Tlp | null
  /** How the producer (the collection's owner) relates to the reader. */
  relation: Relation
  /** The level resolved for the collection ({@link resolveAnonymizationLevel}). */
  anonymizationLevel: AnonymizationLevel
}

export type ReleaseDecision =
  | { release: true; own: true }
  | { release: true; own: false; level: AnonymizationLevel }
  | { release: false; reason: WithholdReason }

/** Whether an object may leave towards the reader and at which anonymization level: one cell of {@link RELEASE_RULE}. */
export function decideRelease(input: ReleaseInput): ReleaseDecision {
  const cell = RELEASE_RULE[input.relation].tlp[input.tlp ?? 'unmarked']
  if (cell !== RELEASE) return { release: false, reason: cell }
  if (input.relation === 'own') return { release: true, own: true }
  return { release: true, own: false, level: input.anonymizationLevel }
}
