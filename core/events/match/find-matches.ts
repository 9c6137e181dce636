import type { Knex } from 'knex'
import { observableValues } from '../../plugin-api/observable-values.js'
import type { StixObject } from '../../plugin-api/index.js'
import type { PluginRegistry } from '../../registry/registry.js'
import { releaseSharedSlices, resolveCollectionContexts } from '../../sharing/index.js'
import type { EventObservable } from '../event-input.js'
import { indexObservables } from './observable-index.js'
import { probeReleasedValues } from './probe-released.js'
import { parseStixText } from '../../stix/stix-text.js'
import { fillReleasedValues, indexedCollections, MATCHABLE_TYPES } from './released-index.js'

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

/** One object as the reader received it, with the collection it came through. */
export interface ReleasedCandidate {
  id: string
  json: string
  object?: StixObject
  collectionId: string
}

type Index = ReturnType<typeof indexObservables>

/** The event observables a released object's values match (pseudonyms match nothing: see observable-index.ts). */
function matchesOf(index: Index, released: ReleasedCandidate): FoundMatch[] {
  const object = released.object ?? parseStixText(released.json)
  const found: FoundMatch[] = []
  for (const value of observableValues(object)) {
    for (const hit of index.lookup(value)) {
      found.push({
        ...hit,
        stixId: released.id,
        stixType: object.type,
        objectJson: released.json,
        collectionId: released.collectionId,
      })
    }
  }
  return found
}

/**
 * Matches event observables against what the organization receives through the egress pipeline: the same
 * visibility, TLP rules and anonymization as REST and TAXII, so the values compared are the released ones — a
 * network where the reader received a network, a pseudonym where it received one — never the producer's stored
 * values. Objects withheld from the reader (TLP RED, AMBER without trust, an invisible collection) never match.
 *
 * Collections whose output the strategy stores (every variant-naming strategy, the built-in one included) go
 * through the released-value index (released-index.ts): filled incrementally, probed with the events' values,
 * and each candidate released again — sharing decision, stored output — and checked with the same look-up.
 * The others are released whole, page by page (`releaseSharedSlices`), as before the index.
 */
export async function findMatches(opts: FindMatchesOptions): Promise<FoundMatch[]> {
  const index = indexObservables(opts.events)
  if (!index.size) return []
  const anonymizer = opts.registry.defaultAnonymizer()
  const contexts = await resolveCollectionContexts(opts.knex, opts.organizationId)
  const { indexed, unindexed } = indexedCollections(contexts, opts.organizationId, anonymizer)
  const found: FoundMatch[] = []
  const prefixes = new Set<string>()
  for (const c of indexed) {
    opts.signal?.throwIfAborted()
    for (const p of await fillReleasedValues(opts.knex, anonymizer, c, opts.signal)) prefixes.add(p)
  }
  const candidates = await probeReleasedValues({
    knex: opts.knex,
    anonymizer,
    readerOrgId: opts.organizationId,
    collections: indexed,
    events: opts.events,
    prefixes,
  })
  for (const released of candidates) found.push(...matchesOf(index, released))
  if (!unindexed.length) return found
  const slices = releaseSharedSlices({
    knex: opts.knex,
    registry: opts.registry,
    principal: { orgId: opts.organizationId },
    filter: { types: MATCHABLE_TYPES, collectionIds: unindexed },
    limit: 1000,
  })
  for await (const slice of slices) {
    opts.signal?.throwIfAborted()
    for (const released of slice)
      found.push(
        ...matchesOf(index, {
          id: released.id,
          json: released.json,
          object: released.object,
          collectionId: released.row.collection_id,
        }),
      )
  }
  return found
}
