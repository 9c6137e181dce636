/**
 * The egress policy: which addresses the platform may connect to on a plugin's behalf. By default only
 * globally reachable unicast addresses: a feed URL chosen by any publisher must not reach the platform
 * itself, its database, the cloud metadata service or the organization's internal network. Platform admins
 * admit on-premises sources with an allow-list of CIDR ranges (CRISP_FEED_ALLOW_PRIVATE).
 */
import { cidr, cidrContains, embeddedIPv4, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-address.js'

/** Refused IPv4 ranges (IANA special-purpose registry, not globally reachable), most specific first. */
const DENIED_IPV4: [Cidr, string][] = [
  [cidr('169.254.169.254/32'), 'the cloud metadata address'],
  [cidr('100.100.100.200/32'), 'a cloud metadata address'],
  [cidr('0.0.0.0/8'), 'a "this network" address'],
  [cidr('10.0.0.0/8'), 'a private address'],
  [cidr('100.64.0.0/10'), 'a shared (carrier-grade NAT) address'],
  [cidr('127.0.0.0/8'), 'a loopback address'],
  [cidr('169.254.0.0/16'), 'a link-local address'],
  [cidr('172.16.0.0/12'), 'a private address'],
  [cidr('192.0.0.0/24'), 'an IETF special-purpose address'],
  [cidr('192.0.2.0/24'), 'a documentation address'],
  [cidr('192.88.99.0/24'), 'a 6to4 relay address'],
  [cidr('192.168.0.0/16'), 'a private address'],
  [cidr('198.18.0.0/15'), 'a benchmarking address'],
  [cidr('198.51.100.0/24'), 'a documentation address'],
  [cidr('203.0.113.0/24'), 'a documentation address'],
  [cidr('224.0.0.0/4'), 'a multicast address'],
  [cidr('240.0.0.0/4'), 'a reserved or broadcast address'],
]

/** Refused IPv6 ranges. Only 2000::/3 is global unicast; these name the common cases outside and inside it. */
const DENIED_IPV6: [Cidr, string][] = [
  [cidr('::1/128'), 'a loopback address'],
  [cidr('::/128'), 'the unspecified address'],
  [cidr('fd00:ec2::254/128'), 'the cloud metadata address'],
  [cidr('fc00::/7'), 'a unique-local address'],
  [cidr('fe80::/10'), 'a link-local address'],
  [cidr('fec0::/10'), 'a site-local address'],
  [cidr('ff00::/8'), 'a multicast address'],
  [cidr('2001::/23'), 'an IETF special-purpose address (Teredo, benchmarking…)'],
  [cidr('2001:db8::/32'), 'a documentation address'],
  [cidr('2002::/16'), 'a 6to4 address (it embeds an IPv4 address)'],
  [cidr('3fff::/20'), 'a documentation address'],
]
const GLOBAL_UNICAST_V6 = cidr('2000::/3')

/** Why `address` is not globally reachable, or null when it is. Mapped and NAT64 forms are judged by their IPv4. */
function specialPurpose(address: IpAddress): string | null {
  const v4 = embeddedIPv4(address)
  if (v4) {
    const reason = specialPurpose(v4)
    return reason && `${reason} (in IPv6 form)`
  }
  const table = address.version === 4 ? DENIED_IPV4 : DENIED_IPV6
  const hit = table.find(([range]) => cidrContains(range, address))
  if (hit) return hit[1]
  if (address.version === 6 && !cidrContains(GLOBAL_UNICAST_V6, address)) return 'not a global unicast address'
  return null
}

export interface EgressPolicy {
  /**
   * What the IP address `address` is when the policy refuses to connect to it (`a loopback address`), or null
   * when it is allowed. A text that is not an IP address is refused too.
   */
  refusal(address: string): string | null
  /**
   * Why `url` may not be requested before any connection is made: a scheme other than http(s), or a literal
   * address {@link refusal} refuses. Null when it may be requested (a host name is judged by the addresses it
   * resolves to, when connecting).
   */
  urlProblem(url: URL): string | null
}

/** The hint every address refusal ends with: who can lift it, and how. */
export const ALLOW_HINT = 'a platform admin can allow it with CRISP_FEED_ALLOW_PRIVATE'

/** How an operator widens the policy. */
export interface EgressPolicyOptions {
  /** CIDR ranges admitted although they are not globally reachable (already validated by the config). */
  allowPrivate: readonly string[]
}

/** The policy: every address that is not globally reachable is refused, unless `allowPrivate` covers it. */
export function createEgressPolicy(options: EgressPolicyOptions): EgressPolicy {
  const allowed = options.allowPrivate.map((text) => cidr(text))
  const isAllowed = (address: IpAddress) => {
    const v4 = embeddedIPv4(address)
    return allowed.some((range) => cidrContains(range, address) || (v4 !== null && cidrContains(range, v4)))
  }
  const refusal = (text: string): string | null => {
    const address = parseIp(text)
    if (!address) return 'not an IP address'
    const reason = specialPurpose(address)
    return reason === null || isAllowed(address) ? null : reason
  }
  return {
    refusal,
    urlProblem(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return `only http and https URLs are allowed, not ${url.protocol}`
      if (!parseIp(url.hostname)) return null
      const address = url.hostname.replace(/^\[(.*)\]$/, '$1')
      const reason = refusal(address)
      return reason && `${address} is ${reason}; ${ALLOW_HINT}`
    },
  }
}

/** Problems of an allow-list (one per bad entry, naming it), for the config's boot-time validation. */
export function allowListProblems(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const parsed = parseCidr(entry)
    return typeof parsed === 'string' ? [`"${entry}": ${parsed}`] : []
  })
}
