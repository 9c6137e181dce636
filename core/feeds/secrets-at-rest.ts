import type { Knex } from 'knex'
import { SecretUnreadableError, type SecretBox } from '../infra/secret-box.js'
import { conflict } from '../infra/errors.js'
import type { FeedRow } from '../model/tables.js'
import { mapSecretValues, restoreMasked } from './secrets-mask.js'

/**
 * Feed credentials at rest. Every secret value of a feed config (secrets-mask.ts says which) is stored sealed
 * with the platform's secrets key (`CRISP_SECRETS_KEY`, core/infra/secret-box.ts): the JSON of the value,
 * encrypted, in its place. The clear config exists only in memory where a source is built from it: the run, the
 * dry run (whose config the client sends in clear) and the validation of an update.
 */
type Config = Record<string, unknown>

/** A stored secret no key opens: names the feed, the value and what to do. */
export class FeedSecretUnreadableError extends Error {
  override name = 'FeedSecretUnreadableError'
  constructor(
    readonly feed: { id: string; name: string },
    readonly path: string,
    reason: string,
  ) {
    super(`feed "${feed.name}" (${feed.id}): the secret at config${path} cannot be decrypted: ${reason}`)
  }
}

/** A feed config as an object: a stored `config` (jsonb) or a mapped copy of one; anything else is empty. */
export const configRecord = (value: unknown): Config =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {}

/** What these functions read of a stored feed: its config as stored (sealed), and what names it in errors. */
type StoredFeed = Pick<FeedRow, 'id' | 'name' | 'config'>

/**
 * Seals every secret value of a clear config, as a client sent it: even one that looks sealed, so a client can
 * never have the platform decrypt a value of its choosing (another feed's secret copied from a backup) and
 * send it to a server of its choosing.
 */
export const sealFeedConfig = (box: SecretBox, config: Config): Config =>
  configRecord(mapSecretValues(config, (v) => (v === '' ? v : box.seal(JSON.stringify(v)))))

function openValue(box: SecretBox, value: unknown, path: string, feed: { id: string; name: string }): unknown {
  if (!box.isSealed(value)) return value
  try {
    return JSON.parse(box.open(value))
  } catch (err) {
    throw new FeedSecretUnreadableError(
      feed,
      path,
      err instanceof SecretUnreadableError ? err.message : 'the sealed value is not JSON',
    )
  }
}

/** The clear config of a stored feed (sealed values opened), for the source that runs it. */
export const openFeedConfig = (box: SecretBox, feed: StoredFeed): Config =>
  configRecord(mapSecretValues(feed.config, (v, path) => openValue(box, v, path, feed)))

/**
 * An update's clear config: the client's values, and the stored (opened) secret wherever it sent the mask back.
 * A stored secret no key opens is a 409 naming it: the client may send the secret again instead of the mask.
 */
export function mergeUpdatedConfig(box: SecretBox, next: unknown, feed: StoredFeed): Config {
  return configRecord(
    restoreMasked(next, feed.config, (stored, path) => {
      try {
        return openValue(box, stored, path, feed)
      } catch (err) {
        if (!(err instanceof FeedSecretUnreadableError)) throw err
        throw conflict(
          'CRISP_FEED_SECRET_UNREADABLE',
          `${err.message}. Send the secret again instead of the mask, or configure the key it was sealed with.`,
          { path: `/config${path}` },
        )
      }
    }),
  )
}

/** The stored config opened where possible (for comparing an update with it); null when a secret does not open. */
export function tryOpenFeedConfig(box: SecretBox, feed: StoredFeed): Config | null {
  try {
    return openFeedConfig(box, feed)
  } catch (err) {
    if (err instanceof FeedSecretUnreadableError) return null
    throw err
  }
}

type Reseal = 'clear' | 'rotate'

/** Seals clear secret values (`clear`), or also re-seals those of another key with the current one (`rotate`). */
function resealed(box: SecretBox, feed: StoredFeed, mode: Reseal): { config: Config; changed: boolean } {
  let changed = false
  const config = configRecord(
    mapSecretValues(feed.config, (v, path) => {
      if (v === '') return v
      if (!box.isSealed(v)) return ((changed = true), box.seal(JSON.stringify(v)))
      if (mode === 'clear' || box.kidOf(v) === box.kid) return v
      changed = true
      return box.seal(JSON.stringify(openValue(box, v, path, feed)))
    }),
  )
  return { config, changed }
}

/**
 * Seals what is not sealed yet in every stored feed config: feeds saved before secrets were encrypted (a
 * migration cannot, it does not have the key), run at every start. With `rotate` (`crisp secrets rotate`) also
 * re-seals values of the previous key with the current one. Idempotent and safe on several nodes at once: a
 * row is written only if its config is still the one read. A feed whose secret opens with no key is reported,
 * left as it is, and the others are done.
 */
export async function resealFeedSecrets(options: {
  knex: Knex
  box: SecretBox
  mode: Reseal
}): Promise<{ sealed: number; unreadable: FeedSecretUnreadableError[] }> {
  const { knex, box, mode } = options
  const rows = await knex('feeds').select('id', 'name', 'config').orderBy('id')
  let sealed = 0
  const unreadable: FeedSecretUnreadableError[] = []
  for (const row of rows) {
    let next: { config: Config; changed: boolean }
    try {
      next = resealed(box, row, mode)
    } catch (err) {
      if (!(err instanceof FeedSecretUnreadableError)) throw err
      unreadable.push(err)
      continue
    }
    if (!next.changed) continue
    const updated = await knex('feeds')
      .where({ id: row.id })
      .whereRaw('config = ?::jsonb', [JSON.stringify(row.config)])
      .update({ config: JSON.stringify(next.config) })
    sealed += updated
  }
  return { sealed, unreadable }
}
