import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { TAXII_STATUS_STATES, type TaxiiStatusState } from '../model/vocabularies.js'
import { literalUnion } from '../model/one-of.js'

/** One object of an add request in a status: its id (or label), version, and why it failed or was unchanged. */
const StatusDetailSchema = Type.Object({
  id: Type.String(),
  version: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
})
export type StatusDetail = Static<typeof StatusDetailSchema>

/** A TAXII 2.1 status resource (§4.3.1): what the service returns and the HTTP schema documents and serializes. */
export const StatusResourceSchema = Type.Object({
  id: Type.String(),
  // The schema is the vocabulary's union of literals; Unsafe only restates its static type, which Fastify's reply
  // typing reads as `never` when literalUnion's union sits inside an object.
  status: Type.Unsafe<TaxiiStatusState>(literalUnion(TAXII_STATUS_STATES)),
  request_timestamp: Type.String(),
  total_count: Type.Integer(),
  success_count: Type.Integer(),
  failure_count: Type.Integer(),
  pending_count: Type.Integer(),
  successes: Type.Optional(Type.Array(StatusDetailSchema)),
  failures: Type.Optional(Type.Array(StatusDetailSchema)),
  pendings: Type.Optional(Type.Array(StatusDetailSchema)),
})
export type StatusResource = Static<typeof StatusResourceSchema>

const StatusDetailsSchema = Type.Array(StatusDetailSchema)

/**
 * A detail list read from a jsonb column of `taxii_statuses` (typed `unknown` there: writes pass JSON text).
 * Only core/taxii writes those columns, so a list of another shape is a corrupt row, not input: it throws.
 */
export function statusDetails(column: string, value: unknown): StatusDetail[] {
  if (!Value.Check(StatusDetailsSchema, value))
    throw new Error(`taxii_statuses.${column} is not a list of status details`)
  return value
}
