import type { ActionResponse } from 'adminjs'
import { Feed } from '../models/feed.js'
import { serviceRecordAction } from '../actions/record-action.js'
import { readOnlyActions, type ResourceFactory } from './types.js'

type Records = { params: Record<string, unknown>; id: string }[]

/** Adds each feed's last run status (and when it was queued) as a computed column. */
async function withLastRun(deps: Parameters<ResourceFactory>[0], records: Records): Promise<void> {
  if (!records.length) return
  const runs = await deps.knex('feed_runs')
    .distinctOn('feed_id')
    .whereIn('feed_id', records.map((r) => r.id))
    .orderBy([{ column: 'feed_id' }, { column: 'queued_at', order: 'desc' }])
    .select('feed_id', 'status', 'queued_at')
  const byFeed = new Map(runs.map((r) => [r.feed_id, r]))
  for (const record of records) {
    const run = byFeed.get(record.id)
    record.params.last_run = run ? `${run.status} (${new Date(run.queued_at).toISOString().slice(0, 16).replace('T', ' ')})` : 'never run'
  }
}

/**
 * Feeds: listed with their last run's status, and a "Run now" action that queues a run through the feed
 * service. Feeds are created and configured through the API (their plugin config is validated there).
 */
export const feedsResource: ResourceFactory = (deps) => ({
  resource: Feed,
  options: {
    navigation: { name: 'Intelligence', icon: 'Database' },
    listProperties: ['name', 'source_plugin', 'organization_id', 'collection_id', 'enabled', 'last_run'],
    showProperties: ['name', 'source_plugin', 'organization_id', 'collection_id', 'schedule', 'default_tlp', 'enabled', 'last_run', 'checkpoint', 'created_at', 'updated_at'],
    filterProperties: ['name', 'source_plugin', 'organization_id', 'enabled'],
    properties: { last_run: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } } },
    actions: {
      ...readOnlyActions,
      list: { after: async (response: ActionResponse) => (await withLastRun(deps, response.records), response) },
      show: { after: async (response: ActionResponse) => (await withLastRun(deps, [response.record]), response) },
      runNow: serviceRecordAction(deps, {
        icon: 'Play',
        guard: 'Queue a run of this feed now?',
        done: 'Feed run queued',
        run: (call) => deps.services.feeds.runNow({ ...call, ...deps.feedRuns }),
      }),
    },
  },
})
