import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../../plugin-api/index.js'
import { unauthorized } from '../../../infra/errors.js'

/** Shared pieces of the `/api/v1` route schemas. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Resource id' }) })
const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
})
/** The error answers every authenticated route may give (documented in OpenAPI). */
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody }
export const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { basic: [] }]
export const NoContent = Type.Null({ description: 'No content' })
/** Small JSON bodies only on these routes: anything bigger is refused with 413 before parsing. */
export const SMALL_BODY = 64 * 1024

/** The acting principal plus the request IP for the audit log. `requirePermission` ran before, so it exists. */
export function actorOf(req: FastifyRequest): Principal & { ip: string } {
  if (!req.principal) throw unauthorized()
  return { ...req.principal, ip: req.ip }
}
