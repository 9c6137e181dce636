import { parseIp } from '../../plugin-api/ip-address.js'
import { observableValues } from '../../plugin-api/observable-values.js'
import type { StixObject } from '../../plugin-api/index.js'
import type { EventObservable } from '../event-input.js'
import { BITS, isPseudonym, normalize, releasedNetwork } from './observable-index.js'

/**
 * Keys of the released-value index (see released-index.ts). An exact value is keyed by its kind and its
 * compared form; an address value by its network: `<version>/<prefix>:<network bits in hex>`, so an event
 * address is probed once per prefix length the index holds. Pseudonyms get no key: they match nothing.
 */
export interface ReleasedKey {
  kind: string
  value: string
  /** `4/16`, `6/48`: the prefix length of an address key, collected per fill for the probes. */
  prefix?: string
}

const networkKey = (version: 4 | 6, prefix: number, bits: bigint) => `${version}/${prefix}:${bits.toString(16)}`

/** The index keys of one object as a reader receives it (its JSON after the egress pipeline). */
export function releasedKeys(object: StixObject): ReleasedKey[] {
  const keys: ReleasedKey[] = []
  for (const value of observableValues(object)) {
    if (value.kind === 'ipv4-addr' || value.kind === 'ipv6-addr') {
      const range = releasedNetwork(value)
      if (!range) continue
      const bits = range.base >> BigInt(BITS[range.version] - range.prefix)
      keys.push({
        kind: `ipv${range.version}-addr`,
        value: networkKey(range.version, range.prefix, bits),
        prefix: `${range.version}/${range.prefix}`,
      })
      continue
    }
    if (isPseudonym(value)) continue
    keys.push({ kind: value.kind, value: normalize(value.kind, value.value) })
  }
  return keys
}

/**
 * What a batch of events probes the index with: each exact value once, and each address under every prefix
 * length in `prefixes` (`4/16`, `6/128`…) — the candidates are checked again on the released object.
 */
export function probeKeys(
  events: readonly { observables: readonly EventObservable[] }[],
  prefixes: ReadonlySet<string>,
): { kinds: string[]; values: string[] } {
  const seen = new Set<string>()
  const kinds: string[] = []
  const values: string[] = []
  const add = (kind: string, value: string) => {
    const key = `${kind}\u0000${value}`
    if (seen.has(key)) return
    seen.add(key)
    kinds.push(kind)
    values.push(value)
  }
  const lengths: Record<4 | 6, number[]> = { 4: [], 6: [] }
  for (const p of prefixes) {
    const [version, length] = p.split('/').map(Number)
    if (version === 4 || version === 6) lengths[version].push(length)
  }
  for (const event of events) {
    for (const observable of event.observables) {
      if (observable.type === 'ipv4-addr' || observable.type === 'ipv6-addr') {
        const address = parseIp(observable.value)
        if (!address) continue
        for (const length of lengths[address.version]) {
          add(
            `ipv${address.version}-addr`,
            networkKey(address.version, length, address.value >> BigInt(BITS[address.version] - length)),
          )
        }
        continue
      }
      add(observable.type, normalize(observable.type, observable.value))
    }
  }
  return { kinds, values }
}
