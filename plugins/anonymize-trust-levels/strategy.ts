import { createHmac } from 'node:crypto'
import type { AnonymizationStrategy, AnonymizeContext, StixObject } from '../../core/plugin-api/index.js'
import { markAnonymized } from './extension.js'
import { anonymousIdentity } from './identity.js'
import { LEVEL_POLICIES, type AnonymizeEnv } from './policy.js'
import { isPredefinedTlpMarking } from './predefined-markings.js'
import { rewriteProperties, WithheldError } from './properties.js'
import { createPseudonymKeyring, type PseudonymScope } from './pseudonym.js'
import { SCO_TYPES } from './refs.js'
import { TooDeepError } from './walk.js'

export interface TrustLevelsOptions {
  /** The platform's anonymization key (HMAC-SHA256 secret). */
  secret: string
  pseudonymScope: PseudonymScope
  preserveLabels: boolean
}

/**
 * The `trust-levels` strategy: a pure function of (object, level, key, recipient). The input is never
 * mutated: the rewrite builds a new object property by property and never edits nested values.
 */
export function createTrustLevelsStrategy(options: TrustLevelsOptions): AnonymizationStrategy {
  const keyring = createPseudonymKeyring({ secret: options.secret, scope: options.pseudonymScope })
  // Everything but the level and the recipient that the output depends on: the key (one-way), the scope and
  // the label switch. A new key or configuration gives new variants, so nothing stored under the old ones is
  // served again.
  const configuration = createHmac('sha256', options.secret)
    .update(`crisp/trust-levels/v2/output-variant/${options.pseudonymScope}/${options.preserveLabels}`)
    .digest('base64url')
  return {
    outputVariant(ctx: AnonymizeContext): string {
      const recipient = options.pseudonymScope === 'recipient' ? ctx.recipientOrgId : '*'
      return `${configuration}/${ctx.level}/${recipient}`
    },
    rewritesIds(type: string, ctx: AnonymizeContext): boolean {
      if (ctx.level === 'none') return false
      return SCO_TYPES.has(type) || (type === 'identity' && LEVEL_POLICIES[ctx.level].anonymousIdentity)
    },
    anonymize(obj: StixObject, ctx: AnonymizeContext): StixObject | null {
      if (ctx.level === 'none') return obj
      if (isPredefinedTlpMarking(obj)) return obj
      const env: AnonymizeEnv = {
        policy: LEVEL_POLICIES[ctx.level],
        p: keyring.forRecipient(ctx.recipientOrgId),
        preserveLabels: options.preserveLabels,
      }
      return anonymizeObject(obj, env)
    },
  }
}

function anonymizeObject(obj: StixObject, env: AnonymizeEnv): StixObject | null {
  if (obj.type === 'identity' && env.policy.anonymousIdentity) {
    const anonymous: Record<string, unknown> = anonymousIdentity(env)
    markAnonymized(anonymous, env.policy)
    return anonymous as StixObject
  }
  let out: Record<string, unknown> | null
  try {
    out = rewriteProperties(obj, env, 0)
  } catch (err) {
    // Data nested past the walker's bound, or an embedded object that cannot be shared: withhold, never throw.
    if (err instanceof TooDeepError || err instanceof WithheldError) return null
    throw err
  }
  if (out === null) return null
  markAnonymized(out, env.policy)
  return out as StixObject
}
