import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Knex } from 'knex'
import type { Principal, StixObject } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import { releaseRow, type EgressContext, type ReleasedObject } from './egress.js'
import { sharedRowsQuery, type SharedObjectFilter, type SharedRow } from './shared-rows.js'
import { variantKey, type AnonymizedWriter } from './anonymized-store.js'
import { prepareIdMatch, type AnonymizedCollection, type IdMatch } from './id-lookup.js'
import type { Relation } from './release-policy.js'
import { narrowByProducer } from './producer-filter.js'
import { resolveCollectionContexts, type CollectionContext } from './reader-context.js'
import { queryPage, type PageRead } from './page-query.js'
import { seqBoundaries } from './seq-boundaries.js'
import {
  isTextPageRow,
  storedOutputTextPageQuery,
  textPageQuery,
  type TextPageRow,
  type TextPageShape,
} from './text-page.js'
import { parseStixText } from '../stix/stix-text.js'
import type { PlatformMetrics } from '../infra/metrics.js'

export interface SharedPageOptions {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId'>
  filter: SharedObjectFilter
  /** `date_added` (TAXII, one collection) or `seq` (REST, exporters: across collections). */
  order: 'date_added' | 'seq'
  limit: number
  /** Only each object's JSON text is needed (see `EgressContext.textOnly`). */
  textOnly?: boolean
  /** Where anonymization per level is counted (`app.metrics`); absent: not counted. */
  metrics?: Pick<PlatformMetrics, 'objectAnonymized'>
  /** Where outputs anonymized for a page are stored for the next reader (`app.anonymizedOutput`); absent: not stored. */
  storedOutput?: Pick<AnonymizedWriter, 'add'>
}

export interface SharedPage {
  objects: ReleasedObject[]
  /** Another page exists after the last scanned row. */
  more: boolean
  /** First and last rows the page scanned (including withheld ones): the keyset for the next page. */
  first: SharedRow | null
  last: SharedRow | null
}

/** The rows of one page as the database returned them, with the collection contexts they are released under. */
interface FetchedPage {
  rows: SharedRow[]
  /** With `asText`, a page PostgreSQL aggregated (see `fetchSharedPage`; `rows` empty). */
  text?: TextPageRow
  more: boolean
  contexts: ReadonlyMap<string, CollectionContext>
  /** Output variant key of each collection whose anonymization output is stored (see anonymized-store.ts). */
  variants: ReadonlyMap<string, string>
  /** Collections whose rows are released as stored. */
  raw: ReadonlySet<string>
}

/** The reader's collections split by how their rows leave: as stored (own, level none) or anonymized. */
function splitCollections(
  contexts: ReadonlyMap<string, CollectionContext>,
  opts: Pick<SharedPageOptions, 'registry' | 'principal'>,
) {
  const readerOrgId = opts.principal.orgId
  const anonymizer = opts.registry.defaultAnonymizer()
  const raw: string[] = []
  const anonymized: AnonymizedCollection[] = []
  const variants = new Map<string, string>()
  for (const [id, context] of contexts) {
    const level = context.anonymizationLevel
    if (level === 'none') {
      raw.push(id)
      continue
    }
    const ctx = { level, producerOrgId: context.ownerOrgId, recipientOrgId: readerOrgId }
    const variant = variantKey(anonymizer, ctx) ?? undefined
    if (variant) variants.set(id, variant)
    anonymized.push({ id, context, ctx, variant })
  }
  return { raw, anonymized, variants }
}

/** Id look-ups need their stored outputs first (see id-lookup.ts): one more small query for the contexts. */
async function idMatchFor(opts: SharedPageOptions): Promise<IdMatch | undefined> {
  if (!opts.filter.ids?.length) return undefined
  const contexts = await resolveCollectionContexts(opts.knex, opts.principal.orgId, opts.filter.collectionIds)
  const { raw, anonymized } = splitCollections(contexts, opts)
  return prepareIdMatch({
    knex: opts.knex,
    strategy: opts.registry.defaultAnonymizer().impl,
    ids: opts.filter.ids,
    raw,
    anonymized,
  })
}

/**
 * How PostgreSQL may aggregate a page whose objects leave as text (`shape`), or null when Node releases it row by
 * row. Only pages where Node would decide nothing per row beyond what the page query decides: no filter decided
 * on the released objects (`releasedMatcher`), and every collection either the reader's own (released as stored)
 * or another organization's whose anonymized output is stored (a variant). A page of own collections only is
 * always aggregated (`textPageQuery`); the others when every anonymized row has its stored output
 * (`storedOutputTextPageQuery`). TAXII pages are over one collection; exports' over any number
 * (`shape.collections` then names each text's).
 */
function aggregationOf(
  opts: SharedPageOptions,
  collections: Readonly<Record<Relation, readonly string[]>>,
  split: ReturnType<typeof splitCollections>,
  shape: TextPageShape,
): ((db: Knex, page: Knex.QueryBuilder) => Knex.QueryBuilder) | null {
  if (opts.order !== shape.order || releasedMatcher(opts.filter) !== null) return null
  const others = [...collections.trusted, ...collections.untrusted]
  if (!others.length) return collections.own.length ? (db, page) => textPageQuery(db, page, opts.limit, shape) : null
  // Level `none` towards another organization still goes through the strategy: only own rows leave as stored.
  if (!others.every((id) => split.variants.has(id))) return null
  return (db, page) => storedOutputTextPageQuery(db, page, opts.limit, collections.own, shape)
}

/**
 * The database half of a page: collection contexts (one small query), then one indexed keyset query. With
 * `asText` (pages whose objects leave as text, in that shape), the page may come aggregated by PostgreSQL into
 * one row (see `aggregationOf`).
 */
async function fetchSharedPage(
  opts: SharedPageOptions,
  asText?: TextPageShape,
  read: PageRead = 'request',
): Promise<FetchedPage> {
  const readerOrgId = opts.principal.orgId
  const idMatch = await idMatchFor(opts)
  let split: ReturnType<typeof splitCollections> = { raw: [], anonymized: [], variants: new Map() }
  let rowsQuery: Knex.QueryBuilder | null = null
  const { contexts, rows } = await queryPage<SharedRow | TextPageRow>(
    opts.knex,
    readerOrgId,
    opts.filter.collectionIds,
    (visible, db) => {
      const contexts = narrowByProducer(visible, opts.filter, readerOrgId)
      if (!contexts.size) return null
      const collections: Record<Relation, string[]> = { own: [], trusted: [], untrusted: [] }
      for (const [id, c] of contexts) collections[c.relation].push(id)
      split = splitCollections(contexts, opts)
      const aggregate = asText ? aggregationOf(opts, collections, split, asText) : null
      const page = (columns: 'rows' | 'text') =>
        sharedRowsQuery({
          knex: db,
          collections,
          filter: opts.filter,
          order: opts.order,
          limit: opts.limit + 1,
          variants: split.variants,
          raw: split.raw,
          idMatch,
          columns,
        })
      rowsQuery = aggregate ? page('rows') : null
      return aggregate ? aggregate(db, page('text')) : page('rows')
    },
    // A page not all stored: its rows, for Node to release.
    (first) => (first.some((row) => isTextPageRow(row) && !row.stored) ? rowsQuery : null),
    read,
  )
  const fetched = { contexts, variants: split.variants, raw: new Set(split.raw) }
  const text = rows.find(isTextPageRow)
  if (text) return { ...fetched, rows: [], text, more: text.n > opts.limit }
  const shared = rows.filter(isSharedRow)
  const more = shared.length > opts.limit
  if (more) shared.length = opts.limit
  return { ...fetched, rows: shared, more }
}

const isSharedRow = (row: SharedRow | TextPageRow): row is SharedRow => !isTextPageRow(row)

/**
 * `ids`, `labels` and `q` on what an anonymized reader receives: SQL left these rows unfiltered (it sees only
 * the stored values), so they are decided here on the released object. Null when the filter has none of them.
 */
function releasedMatcher(filter: SharedObjectFilter): ((o: ReleasedObject) => boolean) | null {
  const { ids, labels, q } = filter
  if (!ids?.length && !labels?.length && !q) return null
  const wanted = ids?.length ? new Set(ids) : null
  const needle = q?.toLowerCase()
  return (o) => {
    if (wanted && !wanted.has(o.id)) return false
    if (!labels?.length && !needle) return true
    const object = o.object ?? parseStixText(o.json)
    if (
      labels?.length &&
      !(Array.isArray(object.labels) && object.labels.some((l) => typeof l === 'string' && labels.includes(l)))
    )
      return false
    if (
      needle &&
      ![object.name, object.description].some((v) => typeof v === 'string' && v.toLowerCase().includes(needle))
    )
      return false
    return true
  }
}

/** Sharing policy, anonymization and (for anonymized rows) the released-output filters of one row. */
function releaseMatching(
  row: SharedRow,
  ctx: EgressContext,
  fetched: FetchedPage,
  matcher: ((o: ReleasedObject) => boolean) | null,
): ReleasedObject | null {
  const released = releaseRow(row, ctx)
  if (!released || !matcher || fetched.raw.has(row.collection_id)) return released
  return matcher(released) ? released : null
}

/** The egress context of a fetched page; with `store`, `computed` collects the outputs to store. */
function egressContext(
  fetched: FetchedPage,
  opts: Pick<SharedPageOptions, 'registry' | 'principal' | 'textOnly' | 'metrics'>,
  store: boolean,
): EgressContext {
  return {
    anonymizer: opts.registry.defaultAnonymizer().impl,
    readerOrgId: opts.principal.orgId,
    collections: fetched.contexts,
    textOnly: opts.textOnly,
    variants: fetched.variants,
    computed: store ? [] : undefined,
    metrics: opts.metrics,
  }
}

/** Hands the outputs anonymized for this page to the write-behind store (not inside a caller's transaction). */
function storeComputed(opts: Pick<SharedPageOptions, 'knex' | 'storedOutput'>, ctx: EgressContext): void {
  if (ctx.computed?.length && !opts.knex.isTransaction) opts.storedOutput?.add(ctx.computed)
}

/** Rows released between two turns of the event loop. */
const RELEASE_SLICE = 32

/**
 * The CPU half of a page: sharing policy and anonymization per object, in slices of {@link RELEASE_SLICE}
 * rows with a turn of the event loop between them. A page is tens of milliseconds of CPU: without the turns,
 * concurrent TAXII pages queue behind each other whole, and a prefetched page's database round trips (see
 * `releaseSharedSlices`) wait until this page is done instead of running beside it.
 */
async function releaseFetchedPage(
  fetched: FetchedPage,
  opts: Pick<SharedPageOptions, 'knex' | 'registry' | 'principal' | 'textOnly' | 'filter' | 'metrics' | 'storedOutput'>,
): Promise<SharedPage> {
  const { rows, more, contexts } = fetched
  if (!contexts.size) return { objects: [], more: false, first: null, last: null }
  const ctx = egressContext(fetched, opts, opts.storedOutput !== undefined)
  const matcher = releasedMatcher(opts.filter)
  const objects: ReleasedObject[] = []
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % RELEASE_SLICE === 0) await nextTurn()
    const released = releaseMatching(rows[i], ctx, fetched, matcher)
    if (released) objects.push(released)
  }
  storeComputed(opts, ctx)
  return { objects, more, first: rows[0] ?? null, last: rows.at(-1) ?? null }
}

/**
 * One page through the egress pipeline: the visible collections with their owner's trust in the reader (one
 * small query), the page itself (one indexed keyset query), then policy and anonymization per object.
 */
export async function readSharedPage(opts: SharedPageOptions): Promise<SharedPage> {
  return releaseFetchedPage(await fetchSharedPage(opts), opts)
}

/** Where a page starts or ends in keyset order. */
export type PagePosition = Pick<SharedRow, 'seq' | 'date_added'>

/** A page whose objects leave as JSON text (TAXII envelopes). */
export interface SharedTextPage {
  /** The released objects' JSON texts joined with commas ('' when none). */
  objects: string
  count: number
  more: boolean
  /** First and last rows the page scanned (including withheld ones): the keyset for the next page. */
  first: PagePosition | null
  last: PagePosition | null
}

/** What `releaseRow` counts per row, for a page of one anonymized collection released by PostgreSQL. */
function countAnonymized(fetched: FetchedPage, rows: number, metrics: SharedPageOptions['metrics']): void {
  if (!metrics || fetched.raw.size) return
  for (const context of fetched.contexts.values())
    for (let i = 0; i < rows; i++) metrics.objectAnonymized(context.anonymizationLevel)
}

const position = (seq: string | null, dateAdded: string | null): PagePosition | null =>
  seq === null || dateAdded === null ? null : { seq, date_added: dateAdded }

/**
 * `readSharedPage` in `date_added` order for a caller that sends only the objects' text: the same rows,
 * policy and anonymization, but a page over the reader's own collections comes from PostgreSQL already joined
 * (see `fetchSharedPage`), and other pages are released as `readSharedPage` does, then joined.
 */
export async function readSharedTextPage(opts: Omit<SharedPageOptions, 'order' | 'textOnly'>): Promise<SharedTextPage> {
  const fetched = await fetchSharedPage(
    { ...opts, order: 'date_added', textOnly: true },
    { order: 'date_added', separator: ',' },
  )
  const { text } = fetched
  if (text) {
    countAnonymized(fetched, Math.min(text.n, opts.limit), opts.metrics)
    const first = position(text.first_seq, text.first_date_added)
    const last = position(text.last_seq, text.last_date_added)
    return { objects: text.objects ?? '', count: text.released, more: fetched.more, first, last }
  }
  const page = await releaseFetchedPage(fetched, { ...opts, textOnly: true })
  const objects = page.objects.map((o) => o.json).join(',')
  const first = page.first && position(page.first.seq, page.first.date_added)
  const last = page.last && position(page.last.seq, page.last.date_added)
  return { objects, count: page.objects.length, more: page.more, first, last }
}

/** Pages of `releaseSharedSlices` read at the same time, each on a pooled connection of its own. */
const PAGES_IN_FLIGHT = 2
/** Page ends looked up at once (`seqBoundaries`). */
const BOUNDARIES_AT_ONCE = 8

/** A page on its way, and where its range ends (undefined: open-ended, cut by its limit alone). */
interface PendingPage {
  upto: string | undefined
  page: Promise<FetchedPage>
}

/**
 * The pages of every object matching the filter in `seq` order, each fetched ahead of its release: after the
 * first page, the next ones are cut at membership positions looked up ahead (`seqBoundaries`), so
 * {@link PAGES_IN_FLIGHT} of them are read by PostgreSQL at the same time — on the second core — while Node
 * releases the current one (at most three pages of rows in memory). A page cut by its limit before its range
 * ends (a collection that became visible meanwhile) is followed by the rest of its range. Contexts are resolved
 * per page, as `readSharedPage` does, so a trust change mid-way applies from the next page on.
 */
async function* fetchedPagesInSeqOrder(
  opts: Omit<SharedPageOptions, 'order'>,
  asText?: TextPageShape,
): AsyncGenerator<FetchedPage> {
  const fetchRange = (afterSeq: string | undefined, uptoSeq: string | undefined): PendingPage => ({
    upto: uptoSeq,
    page: fetchSharedPage({ ...opts, filter: { ...opts.filter, afterSeq, uptoSeq }, order: 'seq' }, asText, 'stream'),
  })
  const queue: PendingPage[] = [fetchRange(opts.filter.afterSeq, opts.filter.uptoSeq)]
  /** Where the pages queued so far end, while more may follow: undefined once the last queued page is open-ended. */
  let cursor: string | undefined
  let ends: string[] = []
  let collectionIds: string[] = []
  const refill = async () => {
    while (cursor !== undefined && queue.length < PAGES_IN_FLIGHT) {
      if (!ends.length) ends = await seqBoundaries(opts.knex, collectionIds, cursor, opts.limit, BOUNDARIES_AT_ONCE)
      const end = ends.shift()
      // Past the last boundary the caller's own bound (if any) still applies.
      const bounded = end !== undefined && !(opts.filter.uptoSeq && BigInt(end) >= BigInt(opts.filter.uptoSeq))
      queue.push(fetchRange(cursor, bounded ? end : opts.filter.uptoSeq))
      cursor = bounded ? end : undefined
    }
  }
  try {
    for (let pending = queue.shift(); pending; pending = queue.shift()) {
      const fetched: FetchedPage = await pending.page
      if (!fetched.contexts.size) return
      collectionIds = [...fetched.contexts.keys()]
      const lastSeq = fetched.text ? fetched.text.last_seq : fetched.rows.at(-1)?.seq
      if (fetched.more && lastSeq) {
        if (pending.upto === undefined && opts.filter.uptoSeq === undefined) cursor = lastSeq
        else queue.unshift(fetchRange(lastSeq, pending.upto))
      }
      await refill()
      yield fetched
    }
  } finally {
    // Abandoned prefetches (consumer stopped early or failed) must not surface as unhandled rejections.
    for (const p of queue) p.page.catch(() => undefined)
  }
}

/** The rows of a fetched page released in slices of {@link RELEASE_SLICE}, with a turn of the event loop between. */
async function* releaseInSlices(
  fetched: FetchedPage,
  opts: Omit<SharedPageOptions, 'order'>,
): AsyncGenerator<ReleasedObject[]> {
  const { rows } = fetched
  const ctx = egressContext(fetched, opts, false)
  const matcher = releasedMatcher(opts.filter)
  for (let start = 0; start < rows.length; start += RELEASE_SLICE) {
    if (start > 0) await nextTurn()
    const slice: ReleasedObject[] = []
    for (let i = start; i < Math.min(rows.length, start + RELEASE_SLICE); i++) {
      const released = releaseMatching(rows[i], ctx, fetched, matcher)
      if (released) slice.push(released)
    }
    if (slice.length) yield slice
  }
}

/**
 * Every object matching the filter in `seq` order, released a slice at a time as the consumer pulls: the same
 * rows, policy and anonymization as `readSharedPage`, page by page (read ahead, see `fetchedPagesInSeqOrder`),
 * but an anonymized object lives only from its release to its serialization (short-lived garbage, not a page's
 * worth promoted to the old generation). Stored anonymization output is used but not added to: an export
 * streams its whole selection once, and storing it would double its I/O and hold up to the write queue's worth
 * of text in memory (pages read by TAXII and REST store theirs).
 */
export async function* releaseSharedSlices(opts: Omit<SharedPageOptions, 'order'>): AsyncGenerator<ReleasedObject[]> {
  for await (const fetched of fetchedPagesInSeqOrder(opts)) yield* releaseInSlices(fetched, opts)
}

/** An object released as JSON text, with the collection it came from. */
export interface ReleasedText {
  readonly json: string
  readonly collectionId: string
  /** The parsed object, when anonymization parsed it anyway. */
  readonly object?: StixObject
}

/** A row released by Node as a {@link ReleasedText}: its text is still written only when asked for. */
class RowText implements ReleasedText {
  constructor(private readonly released: ReleasedObject) {}
  get json(): string {
    return this.released.json
  }
  get object(): StixObject | undefined {
    return this.released.object
  }
  get collectionId(): string {
    return this.released.row.collection_id
  }
}

/** Counts what `releaseRow` counts for the rows of an aggregated page: one per anonymized row, withheld ones too. */
function countAggregatedRows(fetched: FetchedPage, rowCollections: string, metrics: SharedPageOptions['metrics']) {
  if (!metrics) return
  for (const id of rowCollections.split(',')) {
    const context = fetched.contexts.get(id)
    if (context && context.relation !== 'own') metrics.objectAnonymized(context.anonymizationLevel)
  }
}

/**
 * `releaseSharedSlices` for a consumer of the objects' text (exports): the same objects in the same order, but a
 * page that needs nothing decided per row in Node comes from PostgreSQL already joined (see `aggregationOf`) and
 * is only split here — one string per page instead of a thousand rows.
 */
export async function* releaseSharedTexts(opts: Omit<SharedPageOptions, 'order'>): AsyncGenerator<ReleasedText[]> {
  const shape: TextPageShape = { order: 'seq', separator: '\n', collections: true }
  for await (const fetched of fetchedPagesInSeqOrder(opts, shape)) {
    const { text } = fetched
    if (!text) {
      for await (const slice of releaseInSlices(fetched, opts)) yield slice.map((o) => new RowText(o))
      continue
    }
    countAggregatedRows(fetched, text.row_collections ?? '', opts.metrics)
    if (!text.objects || !text.object_collections) continue
    const texts = text.objects.split('\n')
    const collections = text.object_collections.split(',')
    if (texts.length !== collections.length || texts.length !== text.released)
      throw new Error(`egress: an aggregated page of ${text.released} objects split into ${texts.length}`)
    yield texts.map((json, i) => ({ json, collectionId: collections[i] }))
  }
}

/**
 * Every shared object matching the filter, in keyset pages of `pageSize` (bounded memory): the API
 * exporters consume. Objects come out already through the sharing policy and the anonymization strategy.
 */
export async function* streamSharedObjects(opts: {
  knex: Knex
  registry: PluginRegistry
  principal: Pick<Principal, 'orgId'>
  filter: SharedObjectFilter
  pageSize?: number
}): AsyncIterable<StixObject> {
  for await (const slice of releaseSharedSlices({ ...opts, limit: opts.pageSize ?? 1000 })) {
    for (const o of slice) yield o.object ?? parseStixText(o.json)
  }
}
