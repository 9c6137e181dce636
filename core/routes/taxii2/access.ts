import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../plugin-api/index.js'
import { findVisibleCollection, type CollectionAccess } from '../../collections/visible-collections.js'
import { taxiiError } from './errors.js'

/** The authenticated caller (the plugin's hook already answered 401 otherwise). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw taxiiError(401, 'CRISP_AUTH_REQUIRED', 'Authentication required')
  return req.principal
}

/** The collection, or 404 when the caller may not see it; 403 when it lacks the right asked for. */
export async function collectionFor(
  req: FastifyRequest,
  id: string,
  need: 'see' | 'read' | 'write',
): Promise<{ principal: Principal; collection: CollectionAccess }> {
  const principal = principalOf(req)
  const collection = await findVisibleCollection(req.server.knex, principal, id)
  if (!collection) throw taxiiError(404, 'CRISP_TAXII_COLLECTION_NOT_FOUND', 'No such collection')
  if (need === 'read' && !collection.canRead)
    throw taxiiError(403, 'CRISP_TAXII_CANNOT_READ', 'You may not read this collection')
  if (need === 'write' && !collection.canWrite)
    throw taxiiError(403, 'CRISP_TAXII_CANNOT_WRITE', 'You may not add to or delete from this collection')
  return { principal, collection }
}
