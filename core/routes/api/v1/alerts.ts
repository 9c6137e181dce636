import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requirePermission } from '../../../auth/authenticate.js'
import { listAlerts } from '../../../alerts/list-alerts.js'
import { getAlert } from '../../../alerts/get-alert.js'
import { updateAlert } from '../../../alerts/update-alert.js'
import { readAlertSettings, updateAlertSettings } from '../../../alerts/settings.js'
import { listDeliveries, setWebhook } from '../../../alerts/webhook-settings.js'
import { actorOf, errorResponses, IdParams, listQuery, pageOf, security, SMALL_BODY } from './schemas.js'
import {
  AlertDetail,
  AlertPage,
  AlertPatch,
  AlertQuery,
  AlertSettings,
  AlertSettingsPatch,
  Delivery,
  OrgQuery,
  Webhook,
  WebhookBody,
} from './alert-schemas.js'

/** Alerts raised by your organization's events, their workflow, and the organization's alert settings. */
export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['alerts']
  const db = app.knex

  app.get(
    '/alerts',
    {
      preHandler: requirePermission('alerts:read'),
      schema: {
        tags,
        summary: 'Alerts, filtered and sorted, 10 a page by default',
        security,
        querystring: AlertQuery,
        response: { 200: AlertPage, ...errorResponses },
      },
    },
    async (req) =>
      listAlerts({ db, actor: actorOf(req), filter: req.query, path: req.url.split('?')[0], query: req.query }),
  )

  app.get(
    '/alerts/:id',
    {
      preHandler: requirePermission('alerts:read'),
      schema: {
        tags,
        summary: 'One alert with its event, matches, notes and history',
        security,
        params: IdParams,
        response: { 200: AlertDetail, ...errorResponses },
      },
    },
    async (req) => getAlert({ db, actor: actorOf(req), id: req.params.id }),
  )

  app.patch(
    '/alerts/:id',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('alerts:manage'),
      schema: {
        tags,
        summary: 'Change status (Open → Acknowledged → Resolved, back to Open with a reason), assignee, or add a note',
        security,
        params: IdParams,
        body: AlertPatch,
        response: { 200: AlertDetail, ...errorResponses },
      },
    },
    async (req) => updateAlert({ db, log: req.log, actor: actorOf(req), id: req.params.id, input: req.body }),
  )

  app.get(
    '/alert-settings',
    {
      preHandler: requirePermission('alerts:read'),
      schema: {
        tags,
        summary: "An organization's alert settings",
        security,
        querystring: OrgQuery,
        response: { 200: AlertSettings, ...errorResponses },
      },
    },
    async (req) => readAlertSettings({ db, actor: actorOf(req), orgId: req.query.organizationId }),
  )

  app.patch(
    '/alert-settings',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('alert-settings:manage'),
      schema: {
        tags,
        summary: "Change an organization's alert settings (admins)",
        security,
        querystring: OrgQuery,
        body: AlertSettingsPatch,
        response: { 200: AlertSettings, ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req)
      return updateAlertSettings({ db, actor, orgId: req.query.organizationId ?? actor.orgId, input: req.body })
    },
  )

  app.put(
    '/alert-settings/webhook',
    {
      bodyLimit: SMALL_BODY,
      preHandler: requirePermission('alert-settings:manage'),
      schema: {
        tags,
        summary: 'Set (new secret, shown once) or remove the webhook for new High/Critical alerts',
        security,
        querystring: OrgQuery,
        body: WebhookBody,
        response: { 200: Webhook, ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req)
      return setWebhook({ db, actor, orgId: req.query.organizationId ?? actor.orgId, url: req.body.url })
    },
  )

  app.get(
    '/alert-settings/webhook/deliveries',
    {
      preHandler: requirePermission('alert-settings:manage'),
      schema: {
        tags,
        summary: 'Delivery log of the webhook, newest first',
        security,
        querystring: listQuery(OrgQuery.properties),
        response: { 200: pageOf(Delivery), ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req)
      return listDeliveries({
        db,
        actor,
        orgId: req.query.organizationId ?? actor.orgId,
        limit: req.query.limit,
        cursor: req.query.cursor,
      })
    },
  )
}
