import { anonymizeDomain, pseudonymDomain } from './domain.js'
import { looksLikeIp } from './ip.js'
import type { AnonymizeEnv } from './policy.js'

/**
 * URLs: paths, queries and fragments carry session ids, user names and victim details, so below none they
 * become one pseudonym segment; credentials (`user:pass@`) always go. The host follows the domain rule (kept
 * at low, `<pseudonym>.invalid` above); an IP host becomes a pseudonym host since a URL cannot hold a CIDR.
 */
const SCHEME = /^[a-z][a-z0-9+.-]*:$/

export function anonymizeUrl(value: string, env: AnonymizeEnv): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `https://${pseudonymDomain(value, env)}/${env.p.label('url', value)}`
  }
  if (url.hostname === '') return `https://${pseudonymDomain(value, env)}/${env.p.label('url', value)}`
  const scheme = SCHEME.test(url.protocol) ? url.protocol : 'https:'
  const bareHost = url.hostname.replace(/^\[|\]$/g, '')
  const host = looksLikeIp(bareHost) ? pseudonymDomain(bareHost, env) : anonymizeDomain(url.hostname, env)
  const port = env.policy.pseudonymizeDomains || url.port === '' ? '' : `:${url.port}`
  const rest = `${url.pathname}${url.search}${url.hash}`
  const path = rest === '' || rest === '/' ? '/' : `/${env.p.label('url', value)}`
  return `${scheme}//${host}${port}${path}`
}
