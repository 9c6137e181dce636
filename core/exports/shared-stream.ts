import type { Knex } from 'knex'
import type { Principal, StixObject } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import { listVisibleCollections, readSharedPage, type SharedObjectFilter } from '../sharing/index.js'

export interface ExportSource {
  objects: AsyncIterable<StixObject>
  /** Title of the collection each object came from (see `ExportContext.collectionOf`). */
  collectionOf(object: StixObject): string | undefined
  /** Objects handed to the exporter so far: the job's progress. */
  count(): number
}

/**
 * The objects of an export: the egress pipeline's pages (`readSharedPage`: query → sharing policy →
 * anonymization, the same as `streamSharedObjects` and TAXII), read in keyset order one page at a time. Pages
 * are read here rather than through `streamSharedObjects` only to keep each object's collection for the
 * exporters' "source collection"; nothing is released that the pipeline did not release.
 */
export function exportSource(opts: {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId' | 'role'>
  filter: SharedObjectFilter
  pageSize?: number
}): ExportSource {
  const collectionOfObject = new WeakMap<StixObject, string>()
  let titles: Map<string, string> | undefined
  let count = 0
  async function* objects(): AsyncGenerator<StixObject> {
    titles = new Map((await listVisibleCollections(opts.knex, opts.principal)).map((c) => [c.id, c.title]))
    let afterSeq: string | undefined
    for (;;) {
      const page = await readSharedPage({ ...opts, filter: { ...opts.filter, afterSeq }, order: 'seq', limit: opts.pageSize ?? 1000 })
      for (const released of page.objects) {
        const object = released.object ?? (JSON.parse(released.json) as StixObject)
        collectionOfObject.set(object, released.row.collection_id)
        count++
        yield object
      }
      if (!page.more || !page.last) return
      afterSeq = page.last.seq
    }
  }
  return {
    objects: objects(),
    collectionOf: (object) => {
      const id = collectionOfObject.get(object)
      return id === undefined ? undefined : (titles?.get(id) ?? id)
    },
    count: () => count,
  }
}
