import { cidr, cidrContains, parseCidr, parseIp, type IpAddress } from '../../plugin-api/ip-address.js'
import type { ObservableValue } from '../../plugin-api/observable-values.js'
import type { EventObservable } from '../event-input.js'

/** One event observable that a released value matched. */
export interface ObservableHit {
  eventId: string
  observable: EventObservable
  /** The value as the reader received it (an address, a network, a domain…). */
  matchedValue: string
}

interface IpEntry {
  eventId: string
  observable: EventObservable
  address: IpAddress
}

// Keyed pseudonyms of addresses (anonymization level full) are drawn from this reserved range: they name no
// real host, and an event address equal to one could only have been copied from what the reader received.
const PSEUDONYM_RANGE = cidr('240.0.0.0/4')

export const BITS = { 4: 32, 6: 128 } as const

/**
 * The observables of a batch of events, indexed for the values of released intelligence: exact values by
 * kind and value, addresses by network so that a released `/16` finds every event address inside it in one
 * look-up per prefix length.
 */
export function indexObservables(events: readonly { id: string; observables: readonly EventObservable[] }[]) {
  const exact = new Map<string, { eventId: string; observable: EventObservable }[]>()
  const addresses: IpEntry[] = []
  const byNetwork = new Map<string, Map<bigint, IpEntry[]>>()
  for (const event of events) {
    for (const observable of event.observables) {
      if (observable.type === 'ipv4-addr' || observable.type === 'ipv6-addr') {
        const address = parseIp(observable.value)
        if (address) addresses.push({ eventId: event.id, observable, address })
        continue
      }
      const key = `${observable.type}\u0000${normalize(observable.type, observable.value)}`
      exact.set(key, [...(exact.get(key) ?? []), { eventId: event.id, observable }])
    }
  }

  function networkBucket(version: 4 | 6, prefix: number): Map<bigint, IpEntry[]> {
    const key = `${version}/${prefix}`
    let bucket = byNetwork.get(key)
    if (!bucket) {
      bucket = new Map()
      const shift = BITS[version] - prefix
      for (const entry of addresses) {
        if (entry.address.version !== version) continue
        const net = entry.address.value >> BigInt(shift)
        bucket.set(net, [...(bucket.get(net) ?? []), entry])
      }
      byNetwork.set(key, bucket)
    }
    return bucket
  }

  /** Event observables matched by one value a reader received; pseudonyms match nothing. */
  function lookup(value: ObservableValue): ObservableHit[] {
    if (value.kind === 'ipv4-addr' || value.kind === 'ipv6-addr') {
      const range = releasedNetwork(value)
      if (!range) return []
      const entries =
        networkBucket(range.version, range.prefix).get(range.base >> BigInt(BITS[range.version] - range.prefix)) ?? []
      return entries
        .filter((e) => cidrContains(range, e.address))
        .map((e) => ({ eventId: e.eventId, observable: e.observable, matchedValue: value.value }))
    }
    if (isPseudonym(value)) return []
    const found = exact.get(`${value.kind}\u0000${normalize(value.kind, value.value)}`) ?? []
    return found.map((e) => ({ ...e, matchedValue: value.value }))
  }

  return { lookup, size: exact.size + addresses.length }
}

/** The network a released address value names; null for a keyed pseudonym of an address (or a bad value). */
export function releasedNetwork(value: ObservableValue & { kind: 'ipv4-addr' | 'ipv6-addr' }) {
  const range = parseCidr(value.value)
  if (typeof range === 'string') return null
  if (!value.prefix && cidrContains(PSEUDONYM_RANGE, { version: range.version, value: range.base })) return null
  return range
}

/** A keyed pseudonym (`….invalid`): it must never confirm a raw value, so it matches nothing. */
export const isPseudonym = (value: ObservableValue) => 'pseudonym' in value && value.pseudonym

/** Domains, mailbox hosts and hashes compare case-insensitively; URLs and file names as written. */
export function normalize(kind: string, value: string): string {
  return kind === 'url' || kind === 'file-name' ? value : value.toLowerCase()
}
