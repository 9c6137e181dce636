import { Type, type TProperties, type TSchema } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../../plugin-api/index.js'
import { unauthorized } from '../../../infra/errors.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../infra/paging.js'

/** Shared pieces of the `/api/v1` route schemas; the conventions they carry are written in docs/api.md. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Resource id' }) })
const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }) },
  { title: 'Error' },
)
/** The error answers every route may give (documented in OpenAPI; test/core/openapi-errors.test.ts checks each operation has them). */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
}
export const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { basic: [] }]
export const NoContent = Type.Null({ description: 'No content' })
/** Small JSON bodies only on these routes: anything bigger is refused with 413 before parsing. */
export const SMALL_BODY = 64 * 1024

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** `?limit=&cursor=`: the one paging of every list route. */
const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Items per page' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 512, description: "Opaque cursor: the previous page's `nextCursor`" }),
  ),
}
/** A list route's querystring: its filters plus the paging parameters, nothing else. */
export const listQuery = <T extends TProperties>(filters: T) =>
  Type.Object({ ...filters, ...PageQuery }, { additionalProperties: false })
/** A list route's answer: one page of items, and the cursor of the next page (null on the last page). */
export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(
      Type.String({ description: 'Pass as `cursor` for the next page; null: this was the last page' }),
    ),
  })

/** The acting principal plus the request IP for the audit log. `requirePermission` ran before, so it exists. */
export function actorOf(req: FastifyRequest): Principal & { ip: string } {
  if (!req.principal) throw unauthorized()
  return { ...req.principal, ip: req.ip }
}
