import { createHash } from 'node:crypto'
import type { Knex } from 'knex'
import type { AnonymizeContext } from '../plugin-api/index.js'
import type { LoadedPlugin } from '../registry/registry.js'

/**
 * Stored anonymization output (table `anonymized_objects`). A version never changes, and a strategy that
 * names its output variant (`AnonymizationStrategy.outputVariant`) promises the same output for the same
 * variant, so what it made of a version for one reader is served to every reader of that variant: the page
 * query joins the stored text, and only versions without it are parsed and anonymized — then written here
 * behind the response. The sharing policy (TLP, visibility) is still decided per request: only the rewrite is
 * reused, never a decision to release.
 */

/** Entries waiting to be written; beyond this, new ones are dropped (a cache write may always be skipped). */
const MAX_PENDING = 20_000
/** Rows per INSERT. */
const WRITE_BATCH = 2_000

/**
 * The variant key of a context: the plugin's id and version and the strategy's own variant, hashed to a fixed
 * short key (a new plugin version never reuses an older version's output). Null when the strategy does not
 * name variants: its output is never stored.
 */
export function variantKey(anonymizer: LoadedPlugin<'anonymization-strategy'>, ctx: AnonymizeContext): string | null {
  const variant = anonymizer.impl.outputVariant?.(ctx)
  if (typeof variant !== 'string' || variant === '') return null
  return createHash('sha256')
    .update(`${anonymizer.id}@${anonymizer.version}\0${variant}`)
    .digest('base64url')
    .slice(0, 22)
}

/** A key as {@link variantKey} makes it: safe to inline in SQL. */
export const isVariantKey = (key: string) => /^[A-Za-z0-9_-]{22}$/.test(key)

export interface AnonymizedEntry {
  objectPk: string
  variant: string
  /** Id of the object after anonymization (SCO ids are rewritten). */
  anonymizedId: string
  /** The anonymized JSON text; null when the strategy withholds the object. */
  document: string | null
}

/**
 * Write-behind queue of one database: entries are written in batches by at most one INSERT at a time, so
 * readers never wait for cache writes nor compete with them for more than one pooled connection. The app owns
 * one (`app.anonymizedOutput`, see anonymized-output-plugin.ts) and hands it to the page reader.
 */
export class AnonymizedWriter {
  #pending: AnonymizedEntry[] = []
  #running: Promise<void> | null = null
  constructor(
    private readonly knex: Knex,
    private readonly onError: (err: unknown) => void,
  ) {}

  add(entries: readonly AnonymizedEntry[]): void {
    const room = MAX_PENDING - this.#pending.length
    if (entries.length > room) {
      // Readers outpace the database: skip what does not fit, it is recomputed on its next read.
      this.onError(
        new Error(`anonymized output write queue full: ${entries.length - Math.max(0, room)} outputs not stored`),
      )
    }
    if (room > 0) this.#pending.push(...(entries.length > room ? entries.slice(0, room) : entries))
    this.#running ??= this.#drain().finally(() => (this.#running = null))
  }

  /** Resolves when everything queued so far is written (or failed). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running
  }

  async #drain(): Promise<void> {
    while (this.#pending.length) {
      const batch = this.#pending.splice(0, WRITE_BATCH)
      try {
        await insertAnonymizedEntries(this.knex, batch)
      } catch (err) {
        // A version deleted meanwhile (foreign key) or a closed pool: the cache is only an optimisation.
        this.onError(err)
      }
    }
  }
}

/** Stores outputs (existing ones are kept: the same variant always gives the same output). */
export async function insertAnonymizedEntries(knex: Knex, batch: readonly AnonymizedEntry[]): Promise<void> {
  // Documents travel as one text, one per line (JSON.stringify never writes a raw newline; an empty line is
  // a withheld object): an array parameter would have node-postgres escape every quote of every document.
  await knex.raw(
    `INSERT INTO anonymized_objects (object_pk, variant, anonymized_id, document)
     SELECT pk, variant, id, NULLIF(doc, '') FROM ROWS FROM (unnest(?::bigint[]), unnest(?::text[]), unnest(?::text[]), string_to_table(?, E'\n'))
       AS i(pk, variant, id, doc)
     ON CONFLICT DO NOTHING`,
    [
      batch.map((e) => e.objectPk),
      batch.map((e) => e.variant),
      batch.map((e) => e.anonymizedId),
      batch.map((e) => e.document ?? '').join('\n'),
    ],
  )
}

/** Removes stored output older than `days`: keys of a rotated secret, a changed level or config linger otherwise. */
export async function pruneAnonymizedObjects(knex: Knex, days: number): Promise<number> {
  const { rowCount } = await knex.raw<{ rowCount: number | null }>(
    `DELETE FROM anonymized_objects WHERE created_at < now() - make_interval(days => ?)`,
    [days],
  )
  return rowCount ?? 0
}
