import type { Knex } from 'knex'
import type { AnonymizationStrategy, AnonymizeContext } from '../plugin-api/index.js'
import { insertAnonymizedEntries, type AnonymizedEntry } from './anonymized-store.js'
import { parseStixText } from '../stix/stix-text.js'
import type { CollectionContext } from './reader-context.js'

/**
 * Id look-ups of an anonymized reader (REST object, TAXII object, `match[id]`, manifest, versions) match the
 * ids that reader receives, never the stored ones: the standard id of an SCO is derived from its value, so a
 * stored id that resolved would confirm a guessed value. For the types whose ids the strategy rewrites
 * (`rewritesIds`), the object is found through its stored output's anonymized id. To make every such id
 * resolvable, the outputs of those types are computed for the reader's variant before the look-up ("filled"),
 * whatever the guess: the work done depends on the types asked for, never on whether an id exists.
 */

/** How a page query matches `ids` (see `idMatchSql` in shared-rows.ts). */
export interface IdMatch {
  ids: string[]
  /** Collections released as stored (the reader's own, level none): stored ids match. */
  raw: string[]
  /** Per anonymized collection, the requested types whose ids are rewritten: stored ids never match those. */
  rewritten: Map<string, string[]>
  /** Per anonymized collection, versions whose anonymized id is one of `ids`. */
  anonymizedPks: Map<string, string[]>
}

export interface AnonymizedCollection {
  id: string
  context: CollectionContext
  ctx: AnonymizeContext
  /** Output variant key; undefined = the strategy stores no output, rewritten ids cannot be found. */
  variant?: string
}

/** A filled (collection, variant, type) and the last membership seq it covers; trusted for FILL_TTL_MS. */
const filled = new Map<string, { seq: string; at: number }>()
const FILL_TTL_MS = 10 * 60_000
const FILL_BATCH = 2000
const MAX_MEMO = 10_000

const typeOf = (id: string) => id.slice(0, Math.max(0, id.indexOf('--')))

/** Stores the outputs still missing for `type` in one collection's variant (rows after the memo's seq). */
async function fill(
  knex: Knex,
  strategy: AnonymizationStrategy,
  c: AnonymizedCollection & { variant: string },
  type: string,
): Promise<void> {
  const key = `${c.id}\0${c.variant}\0${type}`
  const memo = filled.get(key)
  let after = memo && Date.now() - memo.at < FILL_TTL_MS ? memo.seq : '0'
  // Read before filling: rows added meanwhile lie beyond it and are filled by the next look-up.
  const top = await knex('collection_objects').where('collection_id', c.id).max({ max: 'seq' }).first()
  const upTo = String(top?.max ?? '0')
  for (;;) {
    const rows: { seq: string; object_pk: string; stix_id: string; doc: string }[] = await knex(
      'collection_objects as co',
    )
      .join('stix_objects as s', 's.pk', 'co.object_pk')
      .where('co.collection_id', c.id)
      .andWhere('s.type', type)
      .andWhere('co.seq', '>', after)
      .andWhere('co.seq', '<=', upTo)
      .whereNotExists((q) =>
        q
          .select(knex.raw('1'))
          .from('anonymized_objects as ao')
          .whereRaw('ao.object_pk = co.object_pk AND ao.variant = ?', [c.variant]),
      )
      .orderBy('co.seq')
      .limit(FILL_BATCH)
      .select(knex.raw('co.seq::text AS seq, co.object_pk::text AS object_pk, s.stix_id, s.document::text AS doc'))
    const entries: AnonymizedEntry[] = rows.map((r) => {
      const out = strategy.anonymize(parseStixText(r.doc), c.ctx)
      return {
        objectPk: r.object_pk,
        variant: c.variant,
        anonymizedId: out?.id ?? r.stix_id,
        document: out ? JSON.stringify(out) : null,
      }
    })
    if (entries.length) await insertAnonymizedEntries(knex, entries)
    if (rows.length < FILL_BATCH) break
    after = rows[rows.length - 1].seq
  }
  // Forgetting only costs a re-check: one anti-join over the type's rows.
  if (filled.size >= MAX_MEMO) filled.clear()
  filled.set(key, { seq: upTo, at: Date.now() })
}

/** Prepares the id match of a page: fills what the anonymized collections need, then resolves anonymized ids. */
export async function prepareIdMatch(opts: {
  knex: Knex
  strategy: AnonymizationStrategy
  ids: string[]
  raw: string[]
  anonymized: AnonymizedCollection[]
}): Promise<IdMatch> {
  const types = [...new Set(opts.ids.map(typeOf))]
  const match: IdMatch = { ids: opts.ids, raw: opts.raw, rewritten: new Map(), anonymizedPks: new Map() }
  for (const c of opts.anonymized) {
    // Without stored output a rewritten id cannot be found: stored ids match, and pages.ts keeps only the
    // objects whose released id was asked for (docs/sharing.md names what that leaves to such strategies).
    if (c.variant === undefined) continue
    const rewritten = types.filter((type) => opts.strategy.rewritesIds?.(type, c.ctx) ?? true)
    if (!rewritten.length) continue
    match.rewritten.set(c.id, rewritten)
    for (const type of rewritten) await fill(opts.knex, opts.strategy, { ...c, variant: c.variant }, type)
    const pks: { object_pk: string }[] = await opts
      .knex('anonymized_objects as ao')
      .join('collection_objects as co', 'co.object_pk', 'ao.object_pk')
      .where('co.collection_id', c.id)
      .andWhere('ao.variant', c.variant)
      .whereNotNull('ao.document')
      .whereIn('ao.anonymized_id', opts.ids)
      .select(opts.knex.raw('ao.object_pk::text AS object_pk'))
    if (pks.length)
      match.anonymizedPks.set(
        c.id,
        pks.map((r) => r.object_pk),
      )
  }
  return match
}
