import type { Knex } from 'knex'
import { isUuid } from '../../core/infra/uuid.js'
import { tlpOf, type Principal, type StixObject } from '../../core/plugin-api/index.js'
import type { PluginRegistry } from '../../core/registry/registry.js'
import {
  parseStixText,
  readSharedPage,
  resolveCollectionContexts,
  type AnonymizedWriter,
  type SharedObjectFilter,
} from '../../core/sharing/index.js'
import { isStixIdentifier } from '../../core/stix/ids.js'

/**
 * The console's object browser reads what `GET /api/v1/objects` returns to the signed-in admin: the same
 * egress pipeline (`readSharedPage`: visibility, TLP, trust, anonymization), the same filters, last versions,
 * and the same stored anonymization output (`app.anonymizedOutput`). Nothing here reads `stix_objects` itself.
 */

/** The browser's filters, as the console's filter form sends them (all optional, ANDed). */
export interface BrowseFilter {
  /** STIX type(s), comma-separated. */
  type?: string
  /** Text in name or description (the API's `q`). */
  q?: string
  producer?: string
  collection?: string
  /** `own`: the organization's collections; `shared`: what other organizations shared with it. */
  origin?: string
}

/** One object as the API lists it: its collection, the times, and the object as released to the reader. */
export interface BrowsedObject {
  collectionId: string
  ownerOrgId: string
  dateAdded: string
  version: string
  object: StixObject
}

export interface BrowseOptions {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId'>
  /** The app's stored anonymization output (`app.anonymizedOutput`), as REST passes it; absent: not stored. */
  storedOutput?: Pick<AnonymizedWriter, 'add'>
}

const STIX_TYPE = /^[a-z0-9][a-z0-9-]{0,249}$/
/** Rows per pipeline page while the browser scans for a console page. */
const SCAN_PAGE = 500
/** How far a console listing scans: the browser is for looking around, exports are for bulk. */
const MAX_BROWSE = 10_000

/** The pipeline filter of the browser's form; null when a field can match nothing (an id that is none). */
function pipelineFilter(f: BrowseFilter): SharedObjectFilter | null {
  const list = (v?: string) =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const types = list(f.type)
  const producers = list(f.producer)
  const collections = list(f.collection)
  if (
    types?.some((t) => !STIX_TYPE.test(t)) ||
    producers?.some((p) => !isUuid(p)) ||
    collections?.some((c) => !isUuid(c))
  )
    return null
  const q = f.q?.trim().slice(0, 200) || undefined
  return {
    types,
    q,
    producerOrgIds: producers,
    collectionIds: collections,
    sharedWithReader: f.origin === 'shared',
    versions: { last: true },
  }
}

/** Owner organization of each collection the reader sees. */
async function ownersOf(opts: BrowseOptions): Promise<Map<string, string>> {
  const contexts = await resolveCollectionContexts(opts.knex, opts.principal.orgId)
  return new Map([...contexts].map(([id, c]) => [id, c.ownerOrgId]))
}

/**
 * The first `limit` objects after `offset` in publication order, and whether more follow. `own` keeps the
 * reader's organization as the only producer (with a producer filter naming another, nothing).
 */
export async function browseObjects(
  opts: BrowseOptions & { filter: BrowseFilter; offset: number; limit: number },
): Promise<{ items: BrowsedObject[]; more: boolean }> {
  const base = pipelineFilter(opts.filter)
  if (!base) return { items: [], more: false }
  if (opts.filter.origin === 'own') {
    const producers = base.producerOrgIds
    if (producers && !producers.includes(opts.principal.orgId)) return { items: [], more: false }
    base.producerOrgIds = [opts.principal.orgId]
  }
  const wanted = Math.min(opts.offset + opts.limit, MAX_BROWSE)
  const owners = await ownersOf(opts)
  const found: BrowsedObject[] = []
  let afterSeq: string | undefined
  for (;;) {
    const page = await readSharedPage({
      ...pipelineOptions(opts),
      filter: { ...base, afterSeq },
      order: 'seq',
      limit: SCAN_PAGE,
    })
    for (const o of page.objects) found.push(toBrowsed(o.row, o.object ?? parseStixText(o.json), owners))
    if (found.length > wanted || !page.more || !page.last) break
    afterSeq = page.last.seq
  }
  return { items: found.slice(opts.offset, wanted), more: found.length > wanted }
}

/** The latest version of `stixId` in `collectionId` as the reader receives it (the API's `?collection=&id=`), or null. */
export async function browseOne(
  opts: BrowseOptions & { collectionId: string; stixId: string },
): Promise<BrowsedObject | null> {
  if (!isUuid(opts.collectionId) || !isStixIdentifier(opts.stixId)) return null
  const page = await readSharedPage({
    ...pipelineOptions(opts),
    filter: { ids: [opts.stixId], collectionIds: [opts.collectionId], versions: { last: true } },
    order: 'seq',
    limit: 1000,
  })
  const owners = await ownersOf(opts)
  const versions = page.objects.map((o) => toBrowsed(o.row, o.object ?? parseStixText(o.json), owners))
  return versions.sort((a, b) => (a.version < b.version ? 1 : -1))[0] ?? null
}

const pipelineOptions = (opts: BrowseOptions): BrowseOptions => ({
  knex: opts.knex,
  registry: opts.registry,
  principal: opts.principal,
  storedOutput: opts.storedOutput,
})

function toBrowsed(
  row: { collection_id: string; date_added: string; version: string },
  object: StixObject,
  owners: ReadonlyMap<string, string>,
): BrowsedObject {
  return {
    collectionId: row.collection_id,
    ownerOrgId: owners.get(row.collection_id) ?? '',
    dateAdded: row.date_added,
    version: row.version,
    object,
  }
}

/** The record id of a browsed object: its collection and its id as the reader received it. */
export const browsedId = (o: Pick<BrowsedObject, 'collectionId' | 'object'>) => `${o.collectionId}.${o.object.id}`

export function parseBrowsedId(id: string): { collectionId: string; stixId: string } | null {
  const cut = id.indexOf('.')
  return cut === 36 ? { collectionId: id.slice(0, cut), stixId: id.slice(cut + 1) } : null
}

/** What the list and show pages display of an object: a few columns, and the object itself as JSON. */
export function browsedParams(o: BrowsedObject, readerOrgId: string): Record<string, string> {
  const { object } = o
  const summary = [object.name, object.value, object.pattern].find((v): v is string => typeof v === 'string')
  return {
    id: browsedId(o),
    stix_id: object.id,
    type: object.type,
    name: summary ?? object.id,
    collection: o.collectionId,
    producer: o.ownerOrgId,
    origin: o.ownerOrgId === readerOrgId ? 'own' : 'shared',
    tlp: tlpOf(object) ?? '',
    date_added: o.dateAdded,
    version: o.version,
    object: JSON.stringify(object, null, 2),
  }
}
