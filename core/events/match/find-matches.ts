import type { Knex } from 'knex'
import { observableValues } from '../../plugin-api/observable-values.js'
import type { StixObject } from '../../plugin-api/index.js'
import type { PluginRegistry } from '../../registry/registry.js'
import { releaseSharedSlices } from '../../sharing/index.js'
import type { EventObservable } from '../event-input.js'
import { indexObservables } from './observable-index.js'

/** Types whose values can match an event observable: indicators (STIX patterns) and the value SCOs. */
export const MATCHABLE_TYPES = ['indicator', 'ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'file']

export interface FoundMatch {
  eventId: string
  observable: EventObservable
  matchedValue: string
  /** The object as the reader organization received it: its id, type and JSON text after anonymization. */
  stixId: string
  stixType: string
  objectJson: string
  collectionId: string
}

export interface FindMatchesOptions {
  knex: Knex
  registry: PluginRegistry
  organizationId: string
  events: readonly { id: string; observables: readonly EventObservable[] }[]
  signal?: AbortSignal
}

/**
 * Matches event observables against what the organization receives through the egress pipeline: the same
 * visibility, TLP rules and anonymization as REST and TAXII (`releaseSharedSlices`), so the values compared are
 * the released ones — a network where the reader received a network, a pseudonym where it received one —
 * never the producer's stored values. Objects withheld from the reader (TLP RED, AMBER without trust, an
 * invisible collection) are never seen here.
 */
export async function findMatches(opts: FindMatchesOptions): Promise<FoundMatch[]> {
  const index = indexObservables(opts.events)
  if (!index.size) return []
  const found: FoundMatch[] = []
  const slices = releaseSharedSlices({ knex: opts.knex, registry: opts.registry, principal: { orgId: opts.organizationId }, filter: { types: MATCHABLE_TYPES }, limit: 1000 })
  for await (const slice of slices) {
    opts.signal?.throwIfAborted()
    for (const released of slice) {
      const object = released.object ?? (JSON.parse(released.json) as StixObject)
      for (const value of observableValues(object)) {
        for (const hit of index.lookup(value)) {
          found.push({ ...hit, stixId: released.id, stixType: object.type, objectJson: released.json, collectionId: released.row.collection_id })
        }
      }
    }
  }
  return found
}
