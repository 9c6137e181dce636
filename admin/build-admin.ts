import type { AdminJSOptions } from 'adminjs'
import type { Knex } from 'knex'
import type { FastifyBaseLogger } from 'fastify'
import { createLogger } from '../core/infra/logger.js'
import type { AdminJsModules } from './adminjs-env.js'
import { createCountFixedResource } from './objection-resource.js'
import { confineToConsoleRoles } from './auth/console-scope.js'
import { consoleServices } from './services/index.js'
import { organizationsResource } from './resources/organizations.js'
import { usersResource } from './resources/users.js'
import { trustLevelsResource } from './resources/trust-levels.js'
import { trustRelationshipsResource } from './resources/trust-relationships.js'
import { feedsResource } from './resources/feeds.js'
import { alertsResource } from './resources/alerts.js'
import { objectBrowserResource } from './resources/objects.js'
import { apiKeysResource, auditLogResource, collectionsResource, feedRunsResource } from './resources/read-only.js'
import { dashboardOptions } from './dashboard/options.js'
import type { ConsoleServices, FeedRunDeps } from './services/types.js'
import { consolePaths, type ConsolePaths } from './paths.js'
import type { ResourceDeps } from './resources/types.js'

/** The AdminJS instance: resources, dashboard and branding. Used by the console plugin and the bundle build. */
export function buildAdmin(
  modules: AdminJsModules,
  options: {
    knex: Knex
    feedRuns: FeedRunDeps
    storedOutput?: ResourceDeps['storedOutput']
    jobs?: ResourceDeps['jobs']
    services?: ConsoleServices
    log?: FastifyBaseLogger
    paths?: ConsolePaths
  },
) {
  const { adminjs, objectionAdapter } = modules
  const AdminJS = adminjs.default
  AdminJS.registerAdapter({ Database: objectionAdapter.Database, Resource: createCountFixedResource(modules) })
  const deps = {
    knex: options.knex,
    feedRuns: options.feedRuns,
    storedOutput: options.storedOutput,
    jobs: options.jobs,
    adminjs,
    services: options.services ?? consoleServices,
    log: options.log ?? createLogger({ level: 'silent' }),
  }
  const componentLoader = new adminjs.ComponentLoader()
  const paths = options.paths ?? consolePaths()
  const config: AdminJSOptions = {
    rootPath: paths.root,
    loginPath: paths.login,
    logoutPath: paths.logout,
    // Loaded by the login page and every console page (AdminJS also serves it without a session).
    assets: { scripts: [paths.csrfFormScript] },
    componentLoader,
    branding: { companyName: 'CRISP', withMadeWithLove: false, logo: false },
    locale: {
      language: 'en',
      translations: {
        en: {
          actions: { runNow: 'Run now', deactivate: 'Deactivate', revoke: 'Revoke' },
          resources: {
            alerts: {
              actions: { edit: 'Change status' },
              properties: { new_status: 'New status', match_count: 'Matches' },
            },
          },
          labels: {
            organizations: 'Organizations',
            users: 'Users',
            api_keys: 'API keys',
            trust_levels: 'Trust levels',
            trust_relationships: 'Trust relationships',
            collections: 'Collections',
            feeds: 'Feeds',
            feed_runs: 'Feed runs',
            audit_log: 'Audit log',
            alerts: 'Alerts',
            shared_objects: 'Object browser',
          },
          messages: {
            invalidCredentials:
              'Wrong email or password, or this account may not use the console (platform and organization admins only).',
          },
        },
      },
    },
    dashboard: dashboardOptions({ knex: options.knex, componentLoader }),
    // Org-admins get their organization's part of each resource (admin/auth/console-scope.ts).
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
      objectBrowserResource(deps),
    ].map(confineToConsoleRoles),
  }
  return new AdminJS(config)
}
