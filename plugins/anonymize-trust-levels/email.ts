import { anonymizeDomain, pseudonymDomain } from './domain.js'
import type { AnonymizeEnv } from './policy.js'

/**
 * Email addresses: the local part names a person, so it is a pseudonym at every level below none; the domain
 * follows the domain rule (kept at low). The local pseudonym is keyed on the whole address, so `john@a` and
 * `john@b` do not share one, and the domain pseudonym equals the one of the same `domain-name` SCO.
 */
export function anonymizeEmail(value: string, env: AnonymizeEnv): string {
  const at = value.lastIndexOf('@')
  const normalized = value.toLowerCase()
  const local = env.p.label('email', normalized)
  if (at <= 0 || at === value.length - 1) return `${local}@${pseudonymDomain(normalized, env)}`
  return `${local}@${anonymizeDomain(value.slice(at + 1), env)}`
}

/** A person's display name (email-addr, user-account): a pseudonym below none. */
export function anonymizePersonName(value: string, env: AnonymizeEnv): string {
  return `person-${env.p.label('person', value)}`
}
