import type { Knex } from 'knex'
import { isUuid } from '../infra/uuid.js'

/**
 * Where each of the next `count` pages of `limit` memberships of `collectionIds` after `afterSeq` ends, in `seq`
 * order: one index-only walk over memberships, without joining a single version. Pages cut at these positions
 * can be read at the same time on separate connections (see `releaseSharedSlices`); a page never holds more
 * rows than memberships, so at most `limit` (the release rule and filters can only remove rows). Fewer than
 * `count` positions: the memberships end before the last page would.
 */
export async function seqBoundaries(
  knex: Knex,
  collectionIds: readonly string[],
  afterSeq: string | undefined,
  limit: number,
  count: number,
): Promise<string[]> {
  const ids = `{${collectionIds.filter((id) => isUuid(id)).join(',')}}`
  const { rows } = await knex.raw<{ rows: { seq: string }[] }>(
    `SELECT seq::text AS seq FROM (
       SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM collection_objects
        WHERE collection_id = ANY(?::uuid[]) AND seq > ?::bigint ORDER BY seq LIMIT ?) m
      WHERE n % ? = 0 ORDER BY n`,
    [ids, afterSeq ?? '0', limit * count, limit],
  )
  return rows.map((r) => r.seq)
}
