import type { Knex } from 'knex'
import type { Principal } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import { validateFeedConfig, type ConfigProblem } from './feed-config.js'
import { cronProblem } from './schedule-cron.js'
import { feedInvalid } from './errors.js'
import { literalUrlProblems } from './config-urls.js'
import { hasUnstorableCharacter } from '../stix/input-limits.js'
import type { FeedDefaultTlp } from '../model/vocabularies.js'
import { configRecord } from './secrets-at-rest.js'

/** What a client sends to create a feed (update sends any subset). */
export interface FeedInput {
  organizationId?: string
  name: string
  source: string
  config: Record<string, unknown>
  schedule: string | null
  collectionId: string
  /** `none`: objects without a TLP marking are stored unmarked. */
  defaultTlp: FeedDefaultTlp
  enabled: boolean
}

/** The same bounds as the REST schema (1–200 characters), for callers that skip it: the console, the CLI. */
function nameProblems(name: unknown): ConfigProblem[] {
  if (typeof name !== 'string' || name.trim() === '') return [{ path: '/name', message: 'must be a non-blank string' }]
  if (name.length > 200) return [{ path: '/name', message: 'must NOT have more than 200 characters' }]
  if (hasUnstorableCharacter(name)) return [{ path: '/name', message: 'must not contain NUL or lone surrogates' }]
  return []
}

/**
 * Checks a complete feed (after merging an update) and returns its config with defaults applied. Every
 * problem is collected, with its path in the request body, and thrown as one 400. Literal addresses the
 * egress policy refuses are refused here; local files only when a platform admin sets the feed up (so a
 * publisher cannot edit a file feed an admin made).
 */
export async function checkFeedInput(options: {
  knex: Knex
  registry: PluginRegistry
  actor: Principal
  orgId: string
  feed: FeedInput
}): Promise<Record<string, unknown>> {
  const { knex, registry, actor, orgId, feed } = options
  const problems: ConfigProblem[] = [...nameProblems(feed.name)]
  let config: Record<string, unknown> = feed.config
  const factory = registry.get('feed-source', feed.source)
  if (!factory) {
    const known = registry.byKind('feed-source').map((p) => p.id)
    problems.push({
      path: '/source',
      message: `no feed-source plugin "${feed.source}" (loaded: ${known.join(', ') || 'none'})`,
    })
  } else {
    const checked = await validateFeedConfig(factory.impl, feed.config, { localFiles: actor.role === 'admin' })
    config = configRecord(checked.config)
    problems.push(
      ...checked.problems.map((p) => ({ path: `/config${p.path === '/' ? '' : p.path}`, message: p.message })),
    )
    problems.push(...literalUrlProblems(registry.egress, config))
  }
  if (feed.schedule !== null) {
    const problem = cronProblem(feed.schedule)
    if (problem) problems.push({ path: '/schedule', message: `invalid cron expression: ${problem}` })
  }
  const collection = await knex('collections').where({ id: feed.collectionId }).first('organization_id')
  if (!collection || collection.organization_id !== orgId) {
    problems.push({ path: '/collectionId', message: "no such collection in the feed's organization" })
  }
  if (problems.length) throw feedInvalid(problems)
  return config
}
