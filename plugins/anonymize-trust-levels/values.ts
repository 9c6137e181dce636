import { anonymizeDomain } from './domain.js'
import { anonymizeEmail, anonymizePersonName } from './email.js'
import { anonymizeHash } from './hash.js'
import { anonymizeIp, anonymizeIpv4, anonymizeIpv6, looksLikeIp, type AnonymizedIp } from './ip.js'
import { anonymizeAccount, anonymizeFileName, anonymizeMac, anonymizePath } from './names.js'
import type { AnonymizeEnv } from './policy.js'
import { scrubText } from './text.js'
import { anonymizeUrl } from './url.js'

/** The kinds of value the strategy knows how to rewrite; patterns, SCOs and text all dispatch through here. */
export type ValueKind =
  | { kind: 'ipv4' | 'ipv6' | 'domain' | 'url' | 'email' | 'mac' | 'file-name' | 'path' | 'person' | 'text' }
  | { kind: 'account'; field: 'login' | 'user-id' }
  | { kind: 'hash'; algorithm: string }

const DOMAIN_SHAPE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i

/** For values reached through a reference (`network-traffic:dst_ref.value`) the type is only in the text. */
export function kindFromShape(value: string): ValueKind {
  if (looksLikeIp(value)) return { kind: value.includes(':') ? 'ipv6' : 'ipv4' }
  if (value.includes('://')) return { kind: 'url' }
  if (value.includes('@')) return { kind: 'email' }
  if (DOMAIN_SHAPE.test(value)) return { kind: 'domain' }
  return { kind: 'text' }
}

export function anonymizeIpKind(kind: 'ipv4' | 'ipv6', value: string, env: AnonymizeEnv): AnonymizedIp {
  if (kind === 'ipv4')
    return looksLikeIp(value) && !value.includes(':') ? anonymizeIpv4(value, env) : anonymizeIp(value, env)
  return anonymizeIpv6(value, env)
}

export function anonymizeValue(kind: ValueKind, value: string, env: AnonymizeEnv): string {
  switch (kind.kind) {
    case 'ipv4':
    case 'ipv6':
      return anonymizeIpKind(kind.kind, value, env).value
    case 'domain':
      return anonymizeDomain(value, env)
    case 'url':
      return anonymizeUrl(value, env)
    case 'email':
      return anonymizeEmail(value, env)
    case 'mac':
      return anonymizeMac(value, env)
    case 'file-name':
      return anonymizeFileName(value, env)
    case 'path':
      return anonymizePath(value, env)
    case 'person':
      return anonymizePersonName(value, env)
    case 'account':
      return anonymizeAccount(kind.field, value, env)
    case 'hash':
      return anonymizeHash(kind.algorithm, value, env)
    case 'text':
      return scrubText(value, env)
  }
}

/** Whether this level rewrites values of the kind at all (LIKE/MATCHES patterns of kept kinds stay as they are). */
export function isRewritten(kind: ValueKind, env: AnonymizeEnv): boolean {
  switch (kind.kind) {
    case 'domain':
      return env.policy.pseudonymizeDomains
    case 'hash':
      return env.policy.pseudonymizeHashes
    case 'file-name':
    case 'path':
    case 'mac':
      return env.policy.pseudonymizeFileNames
    default:
      return true
  }
}
