import type { ActionResponse } from 'adminjs'
import { Feed } from '../models/feed.js'
import { feedDto } from '../../core/feeds/feed-dto.js'
import { badRequest } from '../../core/infra/errors.js'
import { serviceActions } from '../actions/service-actions.js'
import { serviceRecordAction } from '../actions/record-action.js'
import { text, type ResourceDeps, type ResourceFactory } from './types.js'
import type { Fields } from '../services/types.js'

type Records = { params: Record<string, unknown>; id: string }[]

/** Adds each feed's last run status and its config as JSON with secrets masked (the feed service's own view). */
async function decorate(deps: ResourceDeps, records: Records, withConfig: boolean): Promise<void> {
  const ids = records.map((r) => r.id).filter(Boolean)
  if (!ids.length) return
  const runs = await deps
    .knex('feed_runs')
    .distinctOn('feed_id')
    .whereIn('feed_id', ids)
    .orderBy([{ column: 'feed_id' }, { column: 'queued_at', order: 'desc' }])
    .select('feed_id', 'status', 'queued_at')
  const byFeed = new Map(runs.map((r) => [r.feed_id, r]))
  const rows = withConfig ? new Map((await deps.knex('feeds').whereIn('id', ids)).map((r) => [r.id, r])) : new Map()
  for (const record of records) {
    const run = byFeed.get(record.id)
    record.params.last_run = run
      ? `${run.status} (${new Date(run.queued_at).toISOString().slice(0, 16).replace('T', ' ')})`
      : 'never run'
    const row = rows.get(record.id)
    if (row) record.params.config_json = JSON.stringify(feedDto(row).config, null, 2)
  }
}

/** A feed stays with its organization: an edit never moves it. */
const withoutOrganization = (input: Fields): Fields =>
  Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'organizationId'))

function feedInput(p: Fields): Fields {
  let config: unknown
  try {
    config = p.config_json === undefined || p.config_json === '' ? undefined : JSON.parse(String(p.config_json))
  } catch {
    throw badRequest('CRISP_FEED_INVALID', 'config must be a JSON object', { field: 'config_json' })
  }
  return {
    name: text(p.name),
    source: text(p.source_plugin),
    organizationId: text(p.organization_id),
    collectionId: text(p.collection_id),
    config,
    schedule: p.schedule === undefined ? undefined : text(p.schedule) || null,
    defaultTlp: text(p.default_tlp),
    enabled: p.enabled === undefined ? undefined : p.enabled === true || p.enabled === 'true',
  }
}

/**
 * Feeds, through the feed service (plugin config validated by the plugin's schema, secrets masked and kept on
 * edit), with their last run's status and a "Run now" action.
 */
export const feedsResource: ResourceFactory = (deps) => {
  const decorateOne = async (response: ActionResponse) => (
    response.record ? await decorate(deps, [response.record], true) : undefined,
    response
  )
  const crud = serviceActions(deps, {
    toInput: feedInput,
    fieldOf: { config_json: 'config_json' },
    create: (call) =>
      deps.services.feeds.create({ ...call, registry: deps.feedRuns.registry, secrets: deps.feedRuns.secrets }),
    update: ({ input, ...call }) =>
      deps.services.feeds.update({
        ...call,
        input: withoutOrganization(input),
        registry: deps.feedRuns.registry,
        secrets: deps.feedRuns.secrets,
      }),
    remove: (call) =>
      deps.services.feeds.remove({ ...call, registry: deps.feedRuns.registry, secrets: deps.feedRuns.secrets }),
  })
  const sources = deps.feedRuns.registry?.byKind('feed-source').map((p) => ({ value: p.id, label: p.id })) ?? []
  return {
    resource: Feed,
    options: {
      navigation: { name: 'Intelligence', icon: 'Database' },
      listProperties: ['name', 'source_plugin', 'organization_id', 'collection_id', 'enabled', 'last_run'],
      showProperties: [
        'name',
        'source_plugin',
        'organization_id',
        'collection_id',
        'config_json',
        'schedule',
        'default_tlp',
        'enabled',
        'last_run',
        'checkpoint',
        'created_at',
        'updated_at',
      ],
      editProperties: [
        'name',
        'source_plugin',
        'organization_id',
        'collection_id',
        'config_json',
        'schedule',
        'default_tlp',
        'enabled',
      ],
      filterProperties: ['name', 'source_plugin', 'organization_id', 'enabled'],
      properties: {
        last_run: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        config_json: {
          type: 'textarea',
          label: 'config',
          description:
            "JSON, checked against the plugin's schema. Secrets show as masked; leave them masked to keep them.",
          isVisible: { list: false, filter: false, show: true, edit: true },
        },
        source_plugin: sources.length ? { availableValues: sources } : {},
        schedule: { description: 'Cron expression (empty = manual runs only)' },
        default_tlp: {
          availableValues: ['amber', 'none', 'clear', 'green', 'amber+strict', 'red'].map((v) => ({
            value: v,
            label: v === 'amber' ? 'amber (default)' : v,
          })),
          description: 'TLP 2.0 marking added to objects that carry none; "none" stores them unmarked. Default: amber',
        },
      },
      actions: {
        ...crud,
        edit: { ...crud.edit, after: decorateOne },
        list: { after: async (response: ActionResponse) => (await decorate(deps, response.records, false), response) },
        show: { after: decorateOne },
        runNow: serviceRecordAction(deps, {
          icon: 'Play',
          guard: 'Queue a run of this feed now?',
          done: 'Feed run queued',
          run: (call) => deps.services.feeds.runNow({ ...call, ...deps.feedRuns }),
        }),
      },
    },
  }
}
