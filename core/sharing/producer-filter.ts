import type { CollectionContext } from './reader-context.js'
import type { SharedObjectFilter } from './shared-rows.js'

/**
 * The reader's collections that `producerOrgIds` and `sharedWithReader` keep. The producer is the collection's
 * owner — the organization whose trust decides the release, and which every reader already learns from the
 * collection itself (`ownerOrgId`) — so these filters select whole collections and say nothing about the
 * objects inside that listing the collection would not.
 */
export function narrowByProducer(
  contexts: ReadonlyMap<string, CollectionContext>,
  filter: Pick<SharedObjectFilter, 'producerOrgIds' | 'sharedWithReader'>,
  readerOrgId: string,
): ReadonlyMap<string, CollectionContext> {
  const producers = filter.producerOrgIds?.length ? new Set(filter.producerOrgIds) : null
  if (!producers && !filter.sharedWithReader) return contexts
  const kept = new Map<string, CollectionContext>()
  for (const [id, c] of contexts) {
    if (producers && !producers.has(c.ownerOrgId)) continue
    if (filter.sharedWithReader && c.ownerOrgId === readerOrgId) continue
    kept.set(id, c)
  }
  return kept
}
