import type { Knex } from 'knex'
import type { StixObject } from '../stix/types.js'
import { canonicalJson } from '../stix/canonical-json.js'
import {
  contentHash,
  prepareObject,
  screenObject,
  versionOf,
  type HashedText,
  type PreparedObject,
  type StoredForm,
} from './prepare.js'
import { derivationHolds, derivedStoredText, ObjectText, type DerivedText } from './object-text.js'
import type { Tlp } from '../stix/tlp.js'
import { addMembers, findUnchanged, insertVersions, type FoundVersion } from './write-batch.js'
import { findRevokedBefore } from './revocation.js'
import { endsSlice, withPipelineHalves, yieldToIo } from './pipelined-writes.js'

export interface StoreResult {
  /** Position of the object in the submitted list. */
  index: number
  id?: string
  /** The version key (`modified`, else `created`, else the epoch), microsecond RFC 3339. */
  version?: string
  status: 'new' | 'new-version' | 'unchanged' | 'rejected'
  message?: string
  /** Where the caller's source placed an object its {@link ObjectText} refused (`objects[3]`). */
  ref?: string
}

export interface StoreObjectsOptions {
  /** A knex instance or the caller's transaction; with a transaction nothing is committed here. */
  db: Knex | Knex.Transaction
  collectionId: string
  /** The organization publishing the objects; recorded on each new version. */
  producerOrgId: string
  objects: readonly unknown[]
  /** TLP added as a marking to objects that carry no TLP 2.0 marking. */
  defaultTlp?: Tlp
  /** See {@link Attribution}; default `producer`. */
  attribution?: Attribution
  /** Objects per INSERT statement. */
  batchSize?: number
}

/**
 * `producer`: an object that names no creator (SDOs, SROs, language content; see `storedForm`) is stored with
 * `created_by_ref` = the producing organization's identity, and that identity joins the collection, so every
 * reader of the objects can resolve the reference (anonymized like any object). What an object already names
 * is kept. `as-given`: objects are stored as they come (feeds relay other producers' objects: the organization
 * did not create them). An organization without a STIX identity (a row inserted by hand) is never attributed.
 */
export type Attribution = 'producer' | 'as-given'

export interface PrepareOptions {
  /** Where the unchanged look-up reads: a knex instance (outside the writing transaction) or a transaction. */
  db: Knex | Knex.Transaction
  /**
   * The objects; an {@link ObjectText} is one given as the exact JSON text a source cut it from: it is
   * recognised from that text when stored byte for byte, and parsed only otherwise.
   */
  objects: readonly unknown[]
  defaultTlp?: Tlp
  /** Organization the objects are stored for: a byte-identical version of another producer is reused only when it has none of its own. */
  producerOrgId: string
  /** See {@link Attribution}; default `producer`. */
  attribution?: Attribution
}

/** One object already stored byte-identically: no validation, no insert, only membership. */
interface Known {
  index: number
  id: string
  version: string
  pk: string
}

/** The CPU half of a store call (validation, serialisation, hashing, dedupe), ready for {@link writePrepared}. */
export interface PreparedBatch {
  readonly count: number
  /** Results already decided: rejections, in-call duplicates. */
  readonly decided: StoreResult[]
  readonly known: Known[]
  readonly toInsert: PreparedObject[]
  /** The producer's identity, when an object of the batch refers to it: written to the collection first. */
  readonly creator?: PreparedObject
}

export interface WriteOptions {
  collectionId: string
  producerOrgId: string
  /** Objects per INSERT statement. */
  batchSize?: number
}

/** An object given as its text, and the stored text derived from that (see `derivedStoredText`). */
interface Derived {
  source: ObjectText
  derived: DerivedText
  hashed: HashedText
}

/** One (id, version) met in a call: its hash, and its stored document (or that document's JSON text). */
interface Seen {
  id: string
  version: string
  hash: string
  /** The stored document; absent for one found by its text, which is parsed only if compared. */
  document?: Record<string, unknown>
  text?: string
  /** Another version of the same id met earlier in the call. */
  next?: Seen
}

/**
 * The first occurrence of each (id, version) in a call, keyed by the id: the object's own id string, whose
 * hash the map computes once (a key joined from id and version would be a new string to hash at every look-up).
 */
class SeenInCall {
  private readonly byId = new Map<string, Seen>()

  get(id: string, version: string): Seen | undefined {
    for (let seen = this.byId.get(id); seen; seen = seen.next) if (seen.version === version) return seen
    return undefined
  }

  add(seen: Seen): void {
    seen.next = this.byId.get(seen.id)
    this.byId.set(seen.id, seen)
  }
}

/**
 * Validates and dedupes a list of objects without writing. Each object is first held to the input limits
 * (`screenObject`), then serialised once (the stored JSON text) and hashed; one query looks up which (id, hash)
 * pairs are already stored — those are unchanged by definition and skip validation. Every other object is
 * validated (schema + pattern). An object given as its text ({@link ObjectText}) is looked up by the stored
 * text derived from it first, and parsed, screened and serialised only when that is not a stored version.
 */
export async function prepareObjects(opts: PrepareOptions): Promise<PreparedBatch> {
  const { defaultTlp } = opts
  const identity = opts.attribution === 'as-given' ? undefined : await producerIdentity(opts.db, opts.producerOrgId)
  const creatorRef = identity?.id
  let refersToCreator = false
  /** Each position's object: as given, or an {@link ObjectText} until it is parsed. */
  const inputs = opts.objects.slice()
  const forms: (StoredForm | undefined)[] = new Array(inputs.length)
  const refused = new Map<number, { id?: string; message: string; ref?: string }>()
  const candidates: { id: string; hash: string }[] = []
  const screen = (index: number, hashed?: HashedText) => {
    const screening = screenObject(inputs[index], index, defaultTlp, creatorRef, hashed)
    if (!screening.ok) refused.set(index, { id: screening.id, message: screening.message })
    else if (screening.form) {
      if (creatorRef !== undefined && screening.form.document.created_by_ref === creatorRef) refersToCreator = true
      forms[index] = screening.form
      return screening.form
    }
    return undefined
  }
  /** Parses a text into `inputs`; false when its source refuses it (recorded). */
  const parse = (index: number, source: ObjectText) => {
    const parsed = source.parse()
    if (parsed.ok) inputs[index] = parsed.object
    else refused.set(index, { message: parsed.message, ref: parsed.ref })
    return parsed.ok
  }
  // Objects given as text are first looked up by the text the store would keep, derived from it.
  const derived = new Map<number, Derived>()
  for (let index = 0; index < inputs.length; index++) {
    const source = inputs[index]
    if (source instanceof ObjectText) {
      const text = derivedStoredText(source.text, defaultTlp, creatorRef)
      if (text !== undefined) {
        const hashed = { text: text.text, hash: contentHash(text.text) }
        derived.set(index, { source, derived: text, hashed })
        candidates.push({ id: text.id, hash: hashed.hash })
        continue
      }
      if (!parse(index, source)) continue
    }
    const form = screen(index)
    if (form) candidates.push({ id: form.id, hash: form.hash })
  }
  const stored = await findUnchanged(opts.db, opts.producerOrgId, candidates)
  // The others are parsed and take the full path; one whose stored form is not the derived text (other
  // escapes, say) is looked up again by its form.
  const again: { id: string; hash: string }[] = []
  for (const [index, { source, derived: text, hashed }] of derived) {
    const found = stored.get(hashed.hash)
    if (found && derivationHolds(text, found, defaultTlp)) continue
    derived.delete(index)
    if (!parse(index, source)) continue
    const form = screen(index, hashed)
    if (form && form.hash !== hashed.hash) again.push({ id: form.id, hash: form.hash })
  }
  if (again.length)
    for (const [key, found] of await findUnchanged(opts.db, opts.producerOrgId, again)) stored.set(key, found)

  const decided: StoreResult[] = []
  const known: Known[] = []
  const toInsert: PreparedObject[] = []
  const seenInCall = new SeenInCall()
  const storedDocument = (seen: Seen): unknown => seen.document ?? JSON.parse(seen.text ?? 'null')
  /** Whether `seen` has the content of the first occurrence of its (id, version): hashes, then canonical JSON. */
  const sameAsEarlier = (earlier: Seen, seen: Seen) =>
    earlier.hash === seen.hash || canonicalJson(storedDocument(earlier)) === canonicalJson(storedDocument(seen))
  for (let index = 0; index < inputs.length; index++) {
    if (endsSlice(index)) await yieldToIo()
    const refusal = refused.get(index)
    if (refusal) {
      const { id, message, ref } = refusal
      decided.push({ index, id, status: 'rejected', message, ...(ref === undefined ? {} : { ref }) })
      continue
    }
    let found: FoundVersion | undefined
    let seen: Seen | undefined
    const given = derived.get(index)
    const form = forms[index]
    if (given) {
      // Found by its text: the stored row gives its version, and its document is parsed only if compared.
      found = stored.get(given.hashed.hash)
      if (found)
        seen = { id: given.derived.id, version: found.version, hash: given.hashed.hash, text: given.hashed.text }
    } else if (form) {
      found = stored.get(form.hash)
      // The stored form keeps the object's own modified and created.
      if (found) seen = { id: form.id, version: versionOf(form.document), hash: form.hash, document: form.document }
    }
    if (found && seen) {
      const { id, version } = seen
      const earlier = seenInCall.get(id, version)
      if (earlier) {
        decided.push(
          sameAsEarlier(earlier, seen)
            ? { index, id, version, status: 'unchanged' }
            : { index, id, version, status: 'rejected', message: differentContent({ id, version }) },
        )
        continue
      }
      seenInCall.add(seen)
      known.push({ index, id, version, pk: found.pk })
      continue
    }
    const prepared = prepareObject(inputs[index], index, defaultTlp, form)
    if (!prepared.ok) {
      decided.push({ index, id: prepared.id, status: 'rejected', message: prepared.message })
      continue
    }
    const o = prepared.object
    const occurrence: Seen = { id: o.id, version: o.version, hash: o.hash, document: o.document }
    const earlier = seenInCall.get(o.id, o.version)
    if (earlier !== undefined) {
      decided.push(
        sameAsEarlier(earlier, occurrence)
          ? { index, id: o.id, version: o.version, status: 'unchanged' }
          : { index, id: o.id, version: o.version, status: 'rejected', message: differentContent(o) },
      )
      continue
    }
    seenInCall.add(occurrence)
    toInsert.push(o)
  }
  const creator = identity && refersToCreator ? prepareObject(identity, -1) : undefined
  return { count: inputs.length, decided, known, toInsert, creator: creator?.ok ? creator.object : undefined }
}

/** The organization's current STIX identity (migrations/0051), or undefined when it has none. */
async function producerIdentity(db: Knex | Knex.Transaction, orgId: string): Promise<StixObject | undefined> {
  const row = await db('organizations').where({ id: orgId }).first('stix_identity')
  return row?.stix_identity ?? undefined
}

/** Stores the producer's identity version (once) and returns its pk, or undefined when this producer holds other content under it. */
async function writeCreator(
  trx: Knex.Transaction,
  creator: PreparedObject,
  opts: WriteOptions,
): Promise<string | undefined> {
  const [outcome] = await insertVersions(trx, opts.producerOrgId, opts.collectionId, [creator])
  return outcome && outcome.pk !== null && (outcome.inserted || outcome.sameAsStored) ? outcome.pk : undefined
}

/**
 * Writes a prepared batch inside the caller's transaction: inserts new versions, adds every stored or
 * already-known version to the collection (taking the collection's writer lock, held to commit).
 */
export async function writePrepared(
  trx: Knex.Transaction,
  prepared: PreparedBatch,
  opts: WriteOptions,
): Promise<StoreResult[]> {
  const results: StoreResult[] = new Array(prepared.count)
  for (const r of prepared.decided) results[r.index] = r
  const batchSize = opts.batchSize ?? 1000
  // pk per index, for members: known versions and stored/identical inserts, in submission order
  const memberAt = new Map<number, string>()
  const inserted = new Map<number, { hadOther: boolean }>()
  for (const k of prepared.known) memberAt.set(k.index, k.pk)
  const revokedBefore = await findRevokedBefore(trx, prepared.toInsert)
  const insertable = prepared.toInsert.filter((o) => {
    const revokedAt = revokedBefore.get(o.index)
    if (revokedAt === undefined) return true
    results[o.index] = {
      index: o.index,
      id: o.id,
      version: o.version,
      status: 'rejected',
      message: `${o.id}: /modified: the object was revoked at ${revokedAt}; a revoked object gets no new versions`,
    }
    return false
  })
  for (let start = 0; start < insertable.length; start += batchSize) {
    const batch = insertable.slice(start, start + batchSize)
    const outcomes = await insertVersions(trx, opts.producerOrgId, opts.collectionId, batch)
    const byIndex = new Map(batch.map((o) => [o.index, o]))
    for (const out of outcomes) {
      const o = byIndex.get(out.index)
      if (!o) continue
      const base = { index: o.index, id: o.id, version: o.version }
      // A version inserted or found the same always has its pk: only a rejected one has none.
      if (out.pk === null || !(out.inserted || out.sameAsStored)) {
        results[o.index] = { ...base, status: 'rejected', message: differentContent(o) }
        continue
      }
      if (out.inserted) inserted.set(o.index, { hadOther: out.hadOtherVersions })
      else results[o.index] = { ...base, status: 'unchanged' }
      memberAt.set(o.index, out.pk)
    }
  }
  // Statuses in submission order: a second version of an id earlier in this call makes a "new-version".
  const idsWithVersion = new Set<string>()
  const members: string[] = []
  const toInsertByIndex = new Map(prepared.toInsert.map((o) => [o.index, o]))
  const knownByIndex = new Map(prepared.known.map((k) => [k.index, k]))
  for (const [index, pk] of [...memberAt].sort(([a], [b]) => a - b)) {
    const k = knownByIndex.get(index)
    const o = toInsertByIndex.get(index)
    if (k) {
      results[index] = { index, id: k.id, version: k.version, status: 'unchanged' }
      idsWithVersion.add(k.id)
    } else if (o) {
      const ins = inserted.get(index)
      if (ins)
        results[index] = {
          index,
          id: o.id,
          version: o.version,
          status: ins.hadOther || idsWithVersion.has(o.id) ? 'new-version' : 'new',
        }
      idsWithVersion.add(o.id)
    }
    members.push(pk)
  }
  // The identity first: a reader walking the collection in date_added order meets it before what it created.
  const creatorPk = prepared.creator && members.length ? await writeCreator(trx, prepared.creator, opts) : undefined
  await addMembers(trx, opts.collectionId, creatorPk === undefined ? members : [creatorPk, ...members])
  return results
}

/**
 * Validates and stores STIX objects as versions keyed by (id, modified) and adds them to a collection.
 * Identical re-submissions change nothing; a different document under an existing (id, modified) is rejected.
 * One multi-row insert per batch plus one membership insert; writers of one collection are serialized until
 * the transaction commits, so date_added follows commit order (see docs/taxii.md).
 */
async function storeObjectsOnce(opts: StoreObjectsOptions): Promise<StoreResult[]> {
  const trx = opts.db
  if (!isTransaction(trx)) return trx.transaction((t) => storeObjectsOnce({ ...opts, db: t }))
  const prepared = await prepareObjects({
    db: trx,
    objects: opts.objects,
    defaultTlp: opts.defaultTlp,
    producerOrgId: opts.producerOrgId,
    attribution: opts.attribution,
  })
  return writePrepared(trx, prepared, opts)
}

/** {@link storeObjectsOnce}, with its halves for pipelining callers (see pipelined-writes.ts). */
export const storeObjects = withPipelineHalves(storeObjectsOnce, { prepare: prepareObjects, write: writePrepared })

function isTransaction(db: Knex | Knex.Transaction): db is Knex.Transaction {
  return db.isTransaction === true
}

function differentContent(o: { id: string; version: string }): string {
  return `${o.id}: /modified: version ${o.version} already exists with different content; a change needs a newer modified`
}

/** Counts of each status, for summaries. */
export function countResults(results: readonly StoreResult[]): Record<StoreResult['status'], number> {
  const counts = { new: 0, 'new-version': 0, unchanged: 0, rejected: 0 }
  for (const r of results) counts[r.status]++
  return counts
}
