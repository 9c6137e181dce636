import type { AnonymizeEnv } from './policy.js'

/**
 * Domain names: kept at low (they are the infrastructure partners block on), otherwise `<pseudonym>.invalid`.
 * `.invalid` is reserved (RFC 2606/6761): the result is a well-formed hostname that can never resolve.
 * The whole name is pseudonymized, not label by label, so subdomains of one victim cannot be grouped.
 */
export function normalizeDomain(value: string): string {
  return value.toLowerCase().replace(/\.$/, '')
}

export function pseudonymDomain(value: string, env: AnonymizeEnv): string {
  return `${env.p.label('domain', normalizeDomain(value))}.invalid`
}

export function anonymizeDomain(value: string, env: AnonymizeEnv): string {
  return env.policy.pseudonymizeDomains ? pseudonymDomain(value, env) : value
}
