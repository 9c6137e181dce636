import type { AdminJSOptions } from 'adminjs'
import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import { createLogger } from '../core/infra/logger.js'
import type { AdminJsModules } from './adminjs-env.js'
import { createCountFixedResource } from './objection-resource.js'
import { consoleServices } from './services/index.js'
import { organizationsResource } from './resources/organizations.js'
import { usersResource } from './resources/users.js'
import { trustLevelsResource } from './resources/trust-levels.js'
import { trustRelationshipsResource } from './resources/trust-relationships.js'
import { feedsResource } from './resources/feeds.js'
import { alertsResource } from './resources/alerts.js'
import { apiKeysResource, auditLogResource, collectionsResource, feedRunsResource } from './resources/read-only.js'
import { dashboardOptions } from './dashboard/options.js'
import type { ConsoleServices, FeedRunDeps } from './services/types.js'
import { ADMIN_LOGIN, ADMIN_LOGOUT, ADMIN_ROOT, CSRF_FORM_SCRIPT_PATH } from './paths.js'

/** The AdminJS instance: resources, dashboard and branding. Used by the console plugin and the bundle build. */
export function buildAdmin(modules: AdminJsModules, options: { knex: Knex; feedRuns: FeedRunDeps; services?: ConsoleServices; log?: FastifyBaseLogger }) {
  const { adminjs, objectionAdapter } = modules
  const AdminJS = adminjs.default
  AdminJS.registerAdapter({ Database: objectionAdapter.Database, Resource: createCountFixedResource(modules) })
  const deps = { knex: options.knex, feedRuns: options.feedRuns, adminjs, services: options.services ?? consoleServices, log: options.log ?? createLogger({ level: 'silent' }) }
  const componentLoader = new adminjs.ComponentLoader()
  const config: AdminJSOptions = {
    rootPath: ADMIN_ROOT,
    loginPath: ADMIN_LOGIN,
    logoutPath: ADMIN_LOGOUT,
    // Loaded by the login page and every console page (AdminJS also serves it without a session).
    assets: { scripts: [CSRF_FORM_SCRIPT_PATH] },
    componentLoader,
    branding: { companyName: 'CRISP', withMadeWithLove: false, logo: false },
    locale: {
      language: 'en',
      translations: {
        en: {
          actions: { runNow: 'Run now', deactivate: 'Deactivate', revoke: 'Revoke' },
          resources: { alerts: { actions: { edit: 'Change status' }, properties: { new_status: 'New status', match_count: 'Matches' } } },
          labels: {
            organizations: 'Organizations', users: 'Users', api_keys: 'API keys', trust_levels: 'Trust levels',
            trust_relationships: 'Trust relationships', collections: 'Collections', feeds: 'Feeds', feed_runs: 'Feed runs', audit_log: 'Audit log', alerts: 'Alerts',
          },
          messages: {
            invalidCredentials: 'Wrong email or password, or this account may not use the console (admins only).',
          },
        },
      },
    },
    dashboard: dashboardOptions({ knex: options.knex, componentLoader }),
    resources: [
      organizationsResource(deps),
      usersResource(deps),
      apiKeysResource(deps),
      trustLevelsResource(deps),
      trustRelationshipsResource(deps),
      collectionsResource(deps),
      feedsResource(deps),
      feedRunsResource(deps),
      auditLogResource(deps),
      alertsResource(deps),
    ],
  }
  return new AdminJS(config)
}
