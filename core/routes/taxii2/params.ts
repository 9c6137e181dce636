import { isStixIdentifier } from '../../stix/ids.js'
import { isStixTimestamp, toMicrosecondTimestamp } from '../../stix/timestamps.js'
import type { SharedObjectFilter, VersionMatch } from '../../sharing/index.js'
import { taxiiError } from './errors.js'

/** Largest page the server returns, whatever `limit` asks; also the default. */
const MAX_PAGE_SIZE = 1000

export type TaxiiQuery = Record<string, string | undefined>

const bad = (param: string, why: string) => taxiiError(400, 'CRISP_TAXII_BAD_PARAMETER', `${param}: ${why}`)

function list(query: TaxiiQuery, param: string, check: (v: string) => boolean, why: string): string[] | undefined {
  const raw = query[param]
  if (raw === undefined) return undefined
  const values = raw.split(',').map((v) => v.trim())
  const wrong = values.find((v) => !check(v))
  if (wrong !== undefined) throw bad(param, `${JSON.stringify(wrong)} ${why}`)
  return values
}

/** `match[version]`: last (default), first, all, or exact timestamps; values are ORed. */
export function parseVersionMatch(query: TaxiiQuery, fallback: VersionMatch): VersionMatch {
  const values = list(
    query,
    'match[version]',
    (v) => ['first', 'last', 'all'].includes(v) || isStixTimestamp(v),
    'is not first, last, all or a timestamp',
  )
  if (!values) return fallback
  return {
    all: values.includes('all'),
    first: values.includes('first'),
    last: values.includes('last'),
    at: values.filter((v) => isStixTimestamp(v)).map((v) => toMicrosecondTimestamp(v)),
  }
}

export function parseSpecVersions(query: TaxiiQuery): string[] | undefined {
  return list(query, 'match[spec_version]', (v) => /^\d+\.\d+$/.test(v), 'is not a STIX spec version')
}

/** The filters of §3.4 shared by manifest, objects and versions. */
export function parseObjectFilters(query: TaxiiQuery): SharedObjectFilter {
  const addedAfter = query.added_after
  if (addedAfter !== undefined && !isStixTimestamp(addedAfter))
    throw bad('added_after', 'must be an RFC 3339 timestamp')
  return {
    types: list(query, 'match[type]', (v) => /^[a-z][a-z0-9-]*[a-z0-9]$/.test(v), 'is not a STIX type'),
    ids: list(query, 'match[id]', isStixIdentifier, 'is not a STIX identifier'),
    specVersions: parseSpecVersions(query),
    versions: parseVersionMatch(query, { last: true }),
    addedAfter: addedAfter === undefined ? undefined : toMicrosecondTimestamp(addedAfter),
  }
}

/** `limit`: a positive integer, capped at {@link MAX_PAGE_SIZE}. */
export function parseLimit(query: TaxiiQuery): number {
  const raw = query.limit
  if (raw === undefined) return MAX_PAGE_SIZE
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw bad('limit', 'must be a positive integer')
  return Math.min(Number(raw), MAX_PAGE_SIZE)
}
