import type { Knex } from 'knex'
import { canonicalJson } from '../stix/canonical-json.js'
import { prepareObject, type PreparedObject } from './prepare.js'
import type { Tlp } from './tlp.js'
import { addMembers, insertVersions } from './write-batch.js'

export interface StoreResult {
  /** Position of the object in the submitted list. */
  index: number
  id?: string
  /** The version key (`modified`, else `created`, else the epoch), microsecond RFC 3339. */
  version?: string
  status: 'new' | 'new-version' | 'unchanged' | 'rejected'
  message?: string
}

export interface StoreObjectsOptions {
  /** A knex instance or the caller's transaction; with a transaction nothing is committed here. */
  db: Knex | Knex.Transaction
  collectionId: string
  /** The organization publishing the objects; recorded on each new version. */
  producerOrgId: string
  objects: readonly unknown[]
  /** TLP added as a marking to objects that carry no TLP 2.0 marking. */
  defaultTlp?: Tlp
  /** Objects per INSERT statement. */
  batchSize?: number
}

const keyOf = (o: { id: string; version: string }) => `${o.id}|${o.version}`

/**
 * Validates and stores STIX objects as versions keyed by (id, modified) and adds them to a collection.
 * Identical re-submissions change nothing; a different document under an existing (id, modified) is rejected.
 * One multi-row insert per batch plus one membership insert; writers of one collection are serialized until
 * the transaction commits, so date_added follows commit order (see docs/taxii.md).
 */
export async function storeObjects(opts: StoreObjectsOptions): Promise<StoreResult[]> {
  if (!(opts.db as Knex.Transaction).isTransaction) {
    return (opts.db as Knex).transaction((trx) => storeObjects({ ...opts, db: trx }))
  }
  const trx = opts.db as Knex.Transaction
  const results: StoreResult[] = new Array(opts.objects.length)
  const batchSize = opts.batchSize ?? 500
  const seenInCall = new Map<string, string>()
  const idsWithVersion = new Set<string>()
  for (let start = 0; start < opts.objects.length; start += batchSize) {
    const batch: PreparedObject[] = []
    for (let index = start; index < Math.min(start + batchSize, opts.objects.length); index++) {
      const prepared = prepareObject(opts.objects[index], index, opts.defaultTlp)
      if (!prepared.ok) {
        results[index] = { index, id: prepared.id, status: 'rejected', message: prepared.message }
        continue
      }
      const o = prepared.object
      const earlier = seenInCall.get(keyOf(o))
      if (earlier !== undefined) {
        const same = earlier === canonicalJson(o.document)
        results[index] = same
          ? { index, id: o.id, version: o.version, status: 'unchanged' }
          : { index, id: o.id, version: o.version, status: 'rejected', message: differentContent(o) }
        continue
      }
      seenInCall.set(keyOf(o), canonicalJson(o.document))
      batch.push(o)
    }
    if (!batch.length) continue
    const outcomes = await insertVersions(trx, opts.producerOrgId, batch)
    const byIndex = new Map(batch.map((o) => [o.index, o]))
    const members: string[] = []
    for (const out of outcomes.sort((a, b) => a.index - b.index)) {
      const o = byIndex.get(out.index) as PreparedObject
      const base = { index: o.index, id: o.id, version: o.version }
      if (out.inserted) {
        results[o.index] = { ...base, status: out.hadOtherVersions || idsWithVersion.has(o.id) ? 'new-version' : 'new' }
      } else if (out.sameAsStored) {
        results[o.index] = { ...base, status: 'unchanged' }
      } else {
        results[o.index] = { ...base, status: 'rejected', message: differentContent(o) }
        continue
      }
      idsWithVersion.add(o.id)
      members.push(out.pk as string)
    }
    await addMembers(trx, opts.collectionId, members)
  }
  return results
}

function differentContent(o: PreparedObject): string {
  return `${o.id}: /modified: version ${o.version} already exists with different content; a change needs a newer modified`
}

/** Counts of each status, for summaries. */
export function countResults(results: readonly StoreResult[]): Record<StoreResult['status'], number> {
  const counts = { new: 0, 'new-version': 0, unchanged: 0, rejected: 0 }
  for (const r of results) counts[r.status]++
  return counts
}
