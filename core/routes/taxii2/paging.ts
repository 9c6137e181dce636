import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from '../../plugin-api/index.js'
import type { CollectionAccess } from '../../collections/visible-collections.js'
import { readSharedPage, type SharedObjectFilter, type SharedPage } from '../../sharing/index.js'
import { decodeNext, encodeNext } from './cursor.js'
import { TAXII_MEDIA_TYPE } from './media.js'
import { parseLimit, type TaxiiQuery } from './params.js'

export interface TaxiiPage {
  page: SharedPage
  /** The `next` token when `more`. */
  next?: string
}

/**
 * One page of a collection in (date_added, seq) order through the egress pipeline. `next` continues exactly
 * after the last scanned row; `added_after` is exclusive and date_added is unique per collection, so both
 * ways of paging see every object once.
 */
export async function readTaxiiPage(
  req: FastifyRequest,
  { principal, collection }: { principal: Principal; collection: CollectionAccess },
  query: TaxiiQuery,
  filter: SharedObjectFilter,
): Promise<TaxiiPage> {
  const scope = { collectionId: collection.id, orgId: principal.orgId }
  const after = query.next ? decodeNext(query.next, scope) : undefined
  const page = await readSharedPage({
    knex: req.server.knex,
    registry: req.server.registry,
    principal,
    filter: { ...filter, collectionIds: [collection.id], afterDateAdded: after },
    order: 'date_added',
    limit: parseLimit(query),
    // Envelopes (objects, object) send the text; manifest and versions read ids and rows only.
    textOnly: true,
    metrics: req.server.metrics,
    storedOutput: req.server.anonymizedOutput,
  })
  const next =
    page.more && page.last ? encodeNext(scope, { dateAdded: page.last.date_added, seq: page.last.seq }) : undefined
  return { page, next }
}

/** Sends a TAXII 200 with the date-added headers of the rows the page covered (none on an empty page). */
export function sendTaxiiPage(reply: FastifyReply, page: SharedPage, body: string) {
  if (page.first && page.last) {
    reply.header('X-TAXII-Date-Added-First', page.first.date_added)
    reply.header('X-TAXII-Date-Added-Last', page.last.date_added)
  }
  // Encoded once here: sent as a string, the body would be scanned once for Content-Length and encoded again
  // by the socket write (a page is about 700 kB).
  return reply.code(200).type(TAXII_MEDIA_TYPE).send(Buffer.from(body, 'utf8'))
}
