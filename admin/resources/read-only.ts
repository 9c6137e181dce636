import type { ActionResponse, FlattenParams } from 'adminjs'
import { ApiKey } from '../models/api-key.js'
import { AuditEntry } from '../models/audit-entry.js'
import { Collection } from '../models/collection.js'
import { FeedRun } from '../models/feed-run.js'
import { serviceRecordAction } from '../actions/record-action.js'
import { readOnlyActions, showOnly, type ResourceFactory } from './types.js'

/** Collections: listed and shown here; they are created and changed through the API by their owners. */
export const collectionsResource: ResourceFactory = () => ({
  resource: Collection,
  options: {
    navigation: { name: 'Intelligence', icon: 'Database' },
    listProperties: ['title', 'alias', 'organization_id', 'visibility', 'created_at'],
    filterProperties: ['title', 'alias', 'organization_id', 'visibility'],
    actions: readOnlyActions,
  },
})

/** Feed runs: read-only history, newest first. */
export const feedRunsResource: ResourceFactory = () => ({
  resource: FeedRun,
  options: {
    navigation: { name: 'Intelligence', icon: 'Database' },
    sort: { sortBy: 'queued_at', direction: 'desc' },
    listProperties: [
      'feed_id',
      'status',
      'trigger',
      'queued_at',
      'finished_at',
      'fetched',
      'total',
      'new_objects',
      'rejected',
    ],
    filterProperties: ['feed_id', 'status', 'trigger', 'queued_at'],
    actions: readOnlyActions,
  },
})

/** API keys: owners create them through the API; an admin can only revoke. The hash is never read. */
export const apiKeysResource: ResourceFactory = (deps) => ({
  resource: ApiKey,
  options: {
    navigation: { name: 'Identity', icon: 'Users' },
    listProperties: ['name', 'prefix', 'user_id', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'],
    filterProperties: ['name', 'prefix', 'user_id', 'revoked_at'],
    actions: {
      ...readOnlyActions,
      revoke: serviceRecordAction(deps, {
        icon: 'Slash',
        guard: 'Revoke this API key? Requests using it are refused from now on.',
        done: 'API key revoked',
        available: (params) => !params.revoked_at,
        run: (call) => deps.services.apiKeys.revoke(call),
      }),
    },
  },
})

/** The audit log: read-only (the database refuses changes too), newest first, filterable. */
export const auditLogResource: ResourceFactory = (deps) => ({
  resource: AuditEntry,
  options: {
    navigation: { name: 'Operations', icon: 'Activity' },
    sort: { sortBy: 'at', direction: 'desc' },
    listProperties: ['at', 'action', 'outcome', 'actor_email', 'ip', 'target_type', 'target_id'],
    showProperties: [
      'at',
      'action',
      'outcome',
      'actor_email',
      'actor_user_id',
      'actor_org_id',
      'ip',
      'target_type',
      'target_id',
      'details_json',
    ],
    filterProperties: ['at', 'action', 'outcome', 'actor_email', 'ip', 'target_type', 'target_id'],
    properties: { details_json: { type: 'textarea', label: 'details', isVisible: showOnly } },
    actions: {
      ...readOnlyActions,
      show: {
        after: async (response: ActionResponse) => {
          const details = deps.adminjs.flat.get(response.record.params as FlattenParams, 'details')
          response.record.params.details_json = JSON.stringify(details ?? {}, null, 2)
          return response
        },
      },
    },
  },
})
