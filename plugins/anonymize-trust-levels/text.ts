import { anonymizeDomain } from './domain.js'
import { anonymizeEmail } from './email.js'
import { anonymizeHash } from './hash.js'
import { anonymizeIp, looksLikeIp } from './ip.js'
import type { AnonymizeEnv } from './policy.js'
import { anonymizeUrl } from './url.js'

/**
 * Free text (descriptions, names, notes, custom strings): from medium, every URL, email, IP, hash and domain
 * found in it is replaced by its anonymized form, so a value hidden in an SCO does not leak through prose.
 * One regex with ordered alternatives: at a given position a URL wins over the domain inside it, and so on.
 * Over-matching is accepted (`Node.js` looks like a domain): a false positive only costs readability.
 */
const TOKEN = new RegExp(
  [
    String.raw`(?<url>\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'()\[\]{}]+)`,
    String.raw`(?<email>\b[a-z0-9._%+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,63}\b)`,
    String.raw`(?<ipv4>\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![\d.]*\d))`,
    String.raw`(?<hash>\b(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b)`,
    String.raw`(?<ipv6>(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:\/\d{1,3})?)`,
    String.raw`(?<domain>\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\b)`,
  ].join('|'),
  'gi',
)

function replaceToken(match: string, groups: Record<string, string | undefined>, env: AnonymizeEnv): string {
  if (groups.url !== undefined) return anonymizeUrl(match.replace(/[.,;:!?]+$/, ''), env) + trailing(match)
  if (groups.email !== undefined) return anonymizeEmail(match, env)
  if (groups.ipv4 !== undefined) return looksLikeIp(match) ? anonymizeIp(match, env).value : match
  if (groups.hash !== undefined) return anonymizeHash('', match, env)
  if (groups.ipv6 !== undefined) {
    return looksLikeIp(match) && /[0-9a-f]{2}/i.test(match) ? anonymizeIp(match, env).value : match
  }
  return anonymizeDomain(match, env)
}

/** Sentence punctuation glued to a URL is not part of it. */
function trailing(match: string): string {
  return /[.,;:!?]+$/.exec(match)?.[0] ?? ''
}

export function scrubText(text: string, env: AnonymizeEnv): string {
  if (!env.policy.scrubText) return text
  return text.replace(TOKEN, (match: string, ...rest: unknown[]) =>
    replaceToken(match, rest[rest.length - 1] as Record<string, string | undefined>, env),
  )
}

/** Scrubs every string inside a JSON value (custom properties, extensions), returning a copy. */
export function scrubDeep(value: unknown, env: AnonymizeEnv): unknown {
  if (typeof value === 'string') return scrubText(value, env)
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, env))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = scrubDeep(item, env)
    return out
  }
  return value
}
