import type { Knex } from 'knex'
import { formatTimestampSql } from '../infra/sql-timestamp.js'
import type { VersionMatch } from '../sharing/index.js'
import { lockCollection } from '../store/write-batch.js'

/** One version of the object in the collection, its version in the TAXII timestamp format. */
interface CollectedVersion {
  pk: string
  version: string
  spec_version: string
}

const VERSIONS_IN_COLLECTION = `
SELECT co.object_pk::text AS pk, ${formatTimestampSql('s.version')} AS version, s.spec_version
FROM collection_objects co JOIN stix_objects s ON s.pk = co.object_pk
WHERE co.collection_id = ? AND s.stix_id = ?
ORDER BY s.version`

/**
 * Removes versions of an object from one collection (the versions themselves stay stored for other
 * collections). Honours `match[version]` (default all) and `match[spec_version]`. Returns how many went.
 */
export async function deleteObjectVersions(
  knex: Knex,
  opts: { collectionId: string; stixId: string; versions: VersionMatch; specVersions?: string[] },
): Promise<number> {
  // Under the collection's writer lock, as the store adds members: the versions chosen and the `latest` flags the
  // delete settles (migrations/0065) see no membership a concurrent writer is adding.
  return knex.transaction(async (trx): Promise<number> => {
    await lockCollection(trx, opts.collectionId)
    const { rows } = await trx.raw<{ rows: CollectedVersion[] }>(VERSIONS_IN_COLLECTION, [
      opts.collectionId,
      opts.stixId,
    ])
    // first/last are decided among all versions in the collection, like a GET with the same filters.
    const v = opts.versions
    const chosen = rows
      .filter((r, i) => v.all || (v.first && i === 0) || (v.last && i === rows.length - 1) || v.at?.includes(r.version))
      .filter((r) => !opts.specVersions || opts.specVersions.includes(r.spec_version))
    if (!chosen.length) return 0
    const removed: number = await trx('collection_objects')
      .where('collection_id', opts.collectionId)
      .whereIn(
        'object_pk',
        chosen.map((r) => r.pk),
      )
      .del()
    return removed
  })
}
