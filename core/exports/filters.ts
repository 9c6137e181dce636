import { Type, type Static } from '@sinclair/typebox'
import { isStixTimestamp } from '../stix/timestamps.js'
import { isUuid } from '../infra/uuid.js'
import type { SharedObjectFilter } from '../sharing/index.js'
import { badExportParameter } from './errors.js'

const csv = (description: string) => Type.String({ minLength: 1, maxLength: 2000, description })
const timestamp = (description: string) => Type.String({ description: `${description} (RFC 3339 timestamp)` })

/** Object query filters an export accepts (query string of GET, `filter` of a job). All optional; ANDed. */
export const ExportFilter = Type.Object(
  {
    collection: Type.Optional(csv('Collection id(s), comma-separated')),
    type: Type.Optional(csv('STIX type(s), comma-separated, e.g. indicator,ipv4-addr')),
    labels: Type.Optional(csv('Label(s), comma-separated: objects carrying any of them')),
    added_after: Type.Optional(timestamp('Only objects added to a collection after this instant')),
    modified_from: Type.Optional(timestamp('Only versions modified at or after this instant')),
    modified_to: Type.Optional(timestamp('Only versions modified at or before this instant')),
  },
  { additionalProperties: false },
)
export type ExportFilter = Static<typeof ExportFilter>

/** Names of the filter parameters: every other query parameter is an exporter option. */
export const FILTER_PARAMETERS = new Set(Object.keys(ExportFilter.properties))

const STIX_TYPE = /^[a-z0-9][a-z0-9-]{1,249}$/

function list(
  name: string,
  value: string | undefined,
  valid: (v: string) => boolean,
  what: string,
): string[] | undefined {
  if (value === undefined) return undefined
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const bad = items.find((v) => !valid(v))
  if (bad !== undefined || items.length === 0) throw badExportParameter(name, `"${bad ?? value}" is not ${what}`)
  return items
}

function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!isStixTimestamp(value) && Number.isNaN(Date.parse(value)))
    throw badExportParameter(name, `"${value}" is not an RFC 3339 timestamp`)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) throw badExportParameter(name, `"${value}" is not an RFC 3339 timestamp`)
  return new Date(value).toISOString()
}

/** Checks the filters (400 naming the parameter) and turns them into the egress pipeline's filter. */
export function toSharedFilter(f: ExportFilter): SharedObjectFilter {
  const filter: SharedObjectFilter = {
    collectionIds: list('collection', f.collection, isUuid, 'a collection id'),
    types: list('type', f.type, (v) => STIX_TYPE.test(v), 'a STIX type'),
    labels: list('labels', f.labels, (v) => v.length <= 250, 'a label'),
    addedAfter: instant('added_after', f.added_after),
    modifiedFrom: instant('modified_from', f.modified_from),
    modifiedTo: instant('modified_to', f.modified_to),
  }
  if (filter.modifiedFrom && filter.modifiedTo && filter.modifiedFrom > filter.modifiedTo) {
    throw badExportParameter('modified_to', 'must not be before modified_from')
  }
  for (const [key, value] of Object.entries(filter)) if (value === undefined) Reflect.deleteProperty(filter, key)
  return filter
}
