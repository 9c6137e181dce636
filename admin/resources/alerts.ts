import type { ActionContext, ActionRequest } from 'adminjs'
import { Alert } from '../models/alert.js'
import { serviceActions } from '../actions/service-actions.js'
import { consoleAdminOf } from '../auth/console-scope.js'
import { ALERT_STATUSES } from '../../core/model/vocabularies.js'
import { text, type ResourceFactory } from './types.js'

const SEVERITIES = [
  { value: '1', label: '1 Low' },
  { value: '2', label: '2 Medium' },
  { value: '3', label: '3 High' },
  { value: '4', label: '4 Critical' },
]
const STATUSES = ALERT_STATUSES.map((s) => ({ value: s, label: s }))
const formOnly = { list: false, filter: false, show: false, edit: true }

const orgOf = (context: ActionContext) => consoleAdminOf(context)?.orgId

/**
 * Alerts are an organization's own security data, like its STIX objects: the console shows the signed-in
 * admin's organization only — platform admins get no bypass here either (docs/admin.md). The list is filtered
 * to it whatever the query says, a record of another organization is not accessible.
 */
const ownOrganization = {
  list: {
    before: async (request: ActionRequest, context: ActionContext) => {
      request.query = {
        ...request.query,
        'filters.organization_id': orgOf(context) ?? '00000000-0000-0000-0000-000000000000',
      }
      return request
    },
  },
  recordAccess: ({ currentAdmin, record }: ActionContext) =>
    !record || record.params.organization_id === consoleAdminOf({ currentAdmin })?.orgId,
}

/**
 * Alerts of the admin's organization: list, filters, show, and a "Change status" form (the edit action) that
 * calls the alerts service — the workflow rules, history, audit and log line are those of `PATCH /api/v1/alerts/{id}`.
 */
export const alertsResource: ResourceFactory = (deps) => {
  const crud = serviceActions(deps, {
    toInput: (p) => ({
      status: text(p.new_status) || undefined,
      reason: text(p.reason) || undefined,
      note: text(p.note) || undefined,
    }),
    fieldOf: { status: 'new_status' },
    fieldOfCode: {
      CRISP_ALERT_REASON_REQUIRED: 'reason',
      CRISP_ALERT_INVALID_TRANSITION: 'new_status',
      CRISP_ALERT_EMPTY_CHANGE: 'new_status',
    },
    update: (call) => deps.services.alerts.update({ ...call, log: deps.log }),
  })
  return {
    resource: Alert,
    options: {
      navigation: { name: 'Monitoring', icon: 'Bell' },
      sort: { sortBy: 'created_at', direction: 'desc' },
      listProperties: ['title', 'severity', 'status', 'source', 'match_count', 'assignee_user_id', 'created_at'],
      showProperties: [
        'title',
        'severity',
        'status',
        'source',
        'match_count',
        'assignee_user_id',
        'event_id',
        'created_at',
        'updated_at',
        'acknowledged_at',
        'resolved_at',
      ],
      editProperties: ['new_status', 'reason', 'note'],
      filterProperties: ['status', 'severity', 'source', 'match_count', 'created_at'],
      properties: {
        organization_id: { isVisible: false },
        severity: { availableValues: SEVERITIES },
        new_status: {
          type: 'string',
          availableValues: STATUSES,
          isVisible: formOnly,
          description: 'Open → Acknowledged → Resolved; back to Open needs a reason',
        },
        reason: { type: 'textarea', isVisible: formOnly, description: 'Required when reopening; kept in the history' },
        note: { type: 'textarea', isVisible: formOnly, description: 'Optional note added to the alert' },
      },
      actions: {
        ...crud,
        edit: { ...crud.edit, isAccessible: ownOrganization.recordAccess },
        show: { isAccessible: ownOrganization.recordAccess },
        list: ownOrganization.list,
        search: { isAccessible: false },
      },
    },
  }
}
