import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from '../../plugin-api/index.js'
import type { CollectionAccess } from '../../collections/visible-collections.js'
import {
  readSharedPage,
  readSharedTextPage,
  type PagePosition,
  type SharedObjectFilter,
  type SharedPage,
  type SharedTextPage,
} from '../../sharing/index.js'
import { decodeNext, encodeNext } from './cursor.js'
import { TAXII_MEDIA_TYPE } from './media.js'
import { parseLimit, type TaxiiQuery } from './params.js'

export interface TaxiiPage {
  page: SharedPage
  /** The `next` token when `more`. */
  next?: string
}

type Access = { principal: Principal; collection: CollectionAccess }

/** What both kinds of page read: the collection, the keyset position after `next`, the limit. */
function pageOptions(
  req: FastifyRequest,
  { principal, collection }: Access,
  query: TaxiiQuery,
  filter: SharedObjectFilter,
) {
  const scope = { collectionId: collection.id, orgId: principal.orgId }
  const after = query.next ? decodeNext(query.next, scope) : undefined
  const options = {
    knex: req.server.knex,
    registry: req.server.registry,
    principal,
    filter: { ...filter, collectionIds: [collection.id], afterDateAdded: after },
    limit: parseLimit(query),
    metrics: req.server.metrics,
    storedOutput: req.server.anonymizedOutput,
  }
  const nextOf = (page: { more: boolean; last: PagePosition | null }) =>
    page.more && page.last ? encodeNext(scope, { dateAdded: page.last.date_added, seq: page.last.seq }) : undefined
  return { options, nextOf }
}

/**
 * One page of a collection in (date_added, seq) order through the egress pipeline. `next` continues exactly
 * after the last scanned row; `added_after` is exclusive and date_added is unique per collection, so both
 * ways of paging see every object once. Manifest and versions read ids and rows.
 */
export async function readTaxiiPage(
  req: FastifyRequest,
  access: Access,
  query: TaxiiQuery,
  filter: SharedObjectFilter,
): Promise<TaxiiPage> {
  const { options, nextOf } = pageOptions(req, access, query, filter)
  const page = await readSharedPage({ ...options, order: 'date_added', textOnly: true })
  return { page, next: nextOf(page) }
}

/** The same page for envelopes (objects, object), which send only the objects' text. */
export async function readTaxiiTextPage(
  req: FastifyRequest,
  access: Access,
  query: TaxiiQuery,
  filter: SharedObjectFilter,
): Promise<{ page: SharedTextPage; next?: string }> {
  const { options, nextOf } = pageOptions(req, access, query, filter)
  const page = await readSharedTextPage(options)
  return { page, next: nextOf(page) }
}

/** Sends a TAXII 200 with the date-added headers of the rows the page covered (none on an empty page). */
export function sendTaxiiPage(
  reply: FastifyReply,
  page: { first: PagePosition | null; last: PagePosition | null },
  body: string,
) {
  if (page.first && page.last) {
    reply.header('X-TAXII-Date-Added-First', page.first.date_added)
    reply.header('X-TAXII-Date-Added-Last', page.last.date_added)
  }
  // Encoded once here: sent as a string, the body would be scanned once for Content-Length and encoded again
  // by the socket write (a page is about 700 kB).
  return reply.code(200).type(TAXII_MEDIA_TYPE).send(Buffer.from(body, 'utf8'))
}
