import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import { canActInOrg } from '../auth/permissions.js'
import { recordAudit } from '../audit/record.js'
import { forbidden, isUniqueViolation } from '../infra/errors.js'
import { paginate, type PageRequest } from '../infra/paging.js'
import type { FeedRow } from '../model/tables.js'
import { feedDto, type FeedDto } from './feed-dto.js'
import { checkFeedInput, type FeedInput } from './feed-input.js'
import { feedNameTaken, feedNotFound } from './errors.js'
import { maskSecrets } from './secrets-mask.js'
import { mergeUpdatedConfig, sealFeedConfig, tryOpenFeedConfig } from './secrets-at-rest.js'
import type { SecretBox } from '../infra/secret-box.js'
import { nextRunAt } from './schedule-cron.js'

/**
 * Feed management: the REST routes and the admin console call these. The caller has checked the role's
 * permission (`feeds:manage`); these check the organization boundary and audit every change.
 */
export interface FeedServiceContext {
  knex: Knex
  registry: PluginRegistry
  actor: Principal
  ip?: string
  /** Seals feed secrets at rest (`app.feedSecrets`). */
  secrets: SecretBox
}

/** The feed, if the actor may see it (own organization, or admin); 404 otherwise, never 403 (no existence leak). */
export async function loadFeed(
  ctx: Pick<FeedServiceContext, 'knex' | 'actor'>,
  id: string,
  db: Knex | Knex.Transaction = ctx.knex,
): Promise<FeedRow> {
  const row = await db('feeds').where({ id }).first()
  if (!row || !canActInOrg(ctx.actor, row.organization_id)) throw feedNotFound()
  return row
}

/**
 * The feeds the actor may see (its organization's; admins: all), a page at a time in id order: a cursor stays
 * valid when its feed is deleted meanwhile.
 */
export async function listFeeds(
  ctx: Pick<FeedServiceContext, 'knex' | 'actor'>,
  page: PageRequest,
): Promise<{ items: FeedDto[]; nextCursor: string | null }> {
  const query = ctx.knex('feeds')
  if (ctx.actor.role !== 'admin') query.where({ organization_id: ctx.actor.orgId })
  const { rows, nextCursor } = await paginate<FeedRow>(query, { column: 'id', ...page })
  return { items: rows.map(feedDto), nextCursor }
}

export async function getFeed(ctx: Pick<FeedServiceContext, 'knex' | 'actor'>, id: string): Promise<FeedDto> {
  return feedDto(await loadFeed(ctx, id))
}

const audit = (
  ctx: FeedServiceContext,
  db: Knex.Transaction,
  action: string,
  id: string,
  details: Record<string, unknown>,
) => recordAudit(db, { action, actor: ctx.actor, ip: ctx.ip, targetType: 'feed', targetId: id, details })

export async function createFeed(ctx: FeedServiceContext, input: FeedInput): Promise<FeedDto> {
  const orgId = input.organizationId ?? ctx.actor.orgId
  if (!canActInOrg(ctx.actor, orgId)) throw forbidden('You can only create feeds for your own organization')
  const config = await checkFeedInput({ knex: ctx.knex, registry: ctx.registry, actor: ctx.actor, orgId, feed: input })
  try {
    return await ctx.knex.transaction(async (trx) => {
      const [row] = await trx('feeds')
        .insert({
          organization_id: orgId,
          collection_id: input.collectionId,
          name: input.name,
          source_plugin: input.source,
          config: JSON.stringify(sealFeedConfig(ctx.secrets, config)),
          schedule: input.schedule,
          default_tlp: input.defaultTlp,
          enabled: input.enabled,
          next_run_at: nextRunAt(input),
        })
        .returning('*')
      const dto = feedDto(row)
      await audit(ctx, trx, 'feed.create', row.id, { after: { ...dto, createdAt: undefined, updatedAt: undefined } })
      return dto
    })
  } catch (err) {
    if (isUniqueViolation(err, 'feeds_organization_id_name_unique')) throw feedNameTaken(input.name)
    throw err
  }
}

export async function updateFeed(
  ctx: FeedServiceContext,
  id: string,
  patch: Partial<Omit<FeedInput, 'organizationId'>>,
): Promise<FeedDto> {
  const current = await loadFeed(ctx, id)
  const merged: FeedInput = {
    name: patch.name ?? current.name,
    source: patch.source ?? current.source_plugin,
    // Clear in memory only, to validate it as a whole: the stored secrets where the client sent the mask back.
    config: mergeUpdatedConfig(ctx.secrets, patch.config ?? maskSecrets(current.config), current),
    schedule: patch.schedule === undefined ? current.schedule : patch.schedule,
    collectionId: patch.collectionId ?? current.collection_id,
    defaultTlp: patch.defaultTlp ?? current.default_tlp,
    enabled: patch.enabled ?? current.enabled,
  }
  const config = await checkFeedInput({
    knex: ctx.knex,
    registry: ctx.registry,
    actor: ctx.actor,
    orgId: current.organization_id,
    feed: merged,
  })
  // A new source or config means the old checkpoint no longer describes what was fetched.
  const resetCheckpoint =
    merged.source !== current.source_plugin ||
    JSON.stringify(config) !== JSON.stringify(tryOpenFeedConfig(ctx.secrets, current))
  try {
    return await ctx.knex.transaction(async (trx) => {
      const scheduleChanged = merged.schedule !== current.schedule || merged.enabled !== current.enabled
      const [row] = await trx('feeds')
        .where({ id })
        .update({
          name: merged.name,
          source_plugin: merged.source,
          config: JSON.stringify(sealFeedConfig(ctx.secrets, config)),
          schedule: merged.schedule,
          collection_id: merged.collectionId,
          default_tlp: merged.defaultTlp,
          enabled: merged.enabled,
          ...(scheduleChanged ? { next_run_at: nextRunAt(merged) } : {}),
          ...(resetCheckpoint ? { checkpoint: null } : {}),
          updated_at: trx.fn.now(),
        })
        .returning('*')
      const before = feedDto(current)
      const after = feedDto(row)
      const changed = Object.keys(after).filter(
        (k) => k !== 'updatedAt' && JSON.stringify(valueAt(before, k)) !== JSON.stringify(valueAt(after, k)),
      )
      await audit(ctx, trx, 'feed.update', id, { changed, before: pick(before, changed), after: pick(after, changed) })
      return after
    })
  } catch (err) {
    if (isUniqueViolation(err, 'feeds_organization_id_name_unique')) throw feedNameTaken(merged.name)
    throw err
  }
}

export async function deleteFeed(ctx: FeedServiceContext, id: string): Promise<void> {
  await ctx.knex.transaction(async (trx) => {
    const current = await loadFeed(ctx, id, trx)
    // Runs cascade; a run in progress loses its lease at its next batch and stops without writing.
    await trx('feeds').where({ id }).delete()
    await audit(ctx, trx, 'feed.delete', id, { before: feedDto(current) })
  })
}

const valueAt = (obj: object, key: string): unknown => Object.entries(obj).find(([k]) => k === key)?.[1]

function pick(obj: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keys.includes(k)))
}
