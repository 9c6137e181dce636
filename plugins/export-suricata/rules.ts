import { isIPv4, isIPv6 } from 'node:net'
import type { ObservableValue } from '../../core/plugin-api/index.js'
import { contentBytes, escapeMsg } from './rule-text.js'

/** What a rule needs besides the value: its message prefix, the indicator it comes from and its sid. */
export interface RuleContext {
  prefix: string
  stixId: string
  sid: number
}

function network(value: string): string | null {
  const [address, prefix, extra] = value.split('/')
  if (extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return null
  const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0
  if (max === 0 || (prefix !== undefined && Number(prefix) > max)) return null
  return prefix === undefined ? address.toLowerCase() : `${address.toLowerCase()}/${prefix}`
}

function domain(value: string): string | null {
  const name = value.toLowerCase().replace(/\.$/, '')
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(name) ? name : null
}

/** A domain or URL pseudonym (`.invalid` name): it gets no rule, since a rule states that its value is real. */
export const isPseudonymHost = (v: ObservableValue): boolean =>
  (v.kind === 'domain-name' || v.kind === 'url') && v.pseudonym

const tail = (ctx: RuleContext) => `metadata:stix_id ${ctx.stixId}; sid:${ctx.sid}; rev:1;`

/**
 * The rule bodies (without sid) for one value: traffic to or from an IP or network; DNS queries and TLS SNI
 * for a domain and its subdomains (`dotprefix` + `endswith`); HTTP host and URI for a URL. Hashes and other
 * kinds give none: Suricata matches file hashes only against list files (`filesha256:<file>`), not inline.
 * Pseudonyms give none either (`isPseudonymHost`).
 */
export function rulesFor(v: ObservableValue, next: () => RuleContext): string[] {
  if (v.kind === 'ipv4-addr' || v.kind === 'ipv6-addr') {
    const net = network(v.value)
    if (!net) return []
    const ctx = next()
    return [`alert ip any any <> ${net} any (msg:"${escapeMsg(`${ctx.prefix} IP indicator ${net}`)}"; ${tail(ctx)})`]
  }
  if (isPseudonymHost(v)) return []
  if (v.kind === 'domain-name') {
    const name = domain(v.value)
    if (!name) return []
    const dns = next()
    const tls = next()
    return [
      `alert dns any any -> any any (msg:"${escapeMsg(`${dns.prefix} DNS query for ${name}`)}"; dns.query; dotprefix; content:".${contentBytes(name)}"; nocase; endswith; ${tail(dns)})`,
      `alert tls any any -> any any (msg:"${escapeMsg(`${tls.prefix} TLS SNI ${name}`)}"; tls.sni; dotprefix; content:".${contentBytes(name)}"; nocase; endswith; ${tail(tls)})`,
    ]
  }
  if (v.kind === 'url') {
    if (!URL.canParse(v.value)) return []
    const url = new URL(v.value)
    if (!['http:', 'https:'].includes(url.protocol) || !domain(url.hostname)) return []
    const ctx = next()
    const host = url.hostname.toLowerCase()
    const path = `${url.pathname}${url.search}`
    const uri = path === '/' ? '' : ` http.uri.raw; content:"${contentBytes(path)}"; startswith;`
    const msg = escapeMsg(`${ctx.prefix} URL ${host}${path}`.slice(0, 200))
    return [
      `alert http any any -> any any (msg:"${msg}"; http.host; content:"${contentBytes(host)}"; bsize:${host.length};${uri} ${tail(ctx)})`,
    ]
  }
  return []
}
