import type { ComponentLoader } from 'adminjs'
import type { Knex } from 'knex'
import { projectPath } from '../../core/project-root.js'
import { dashboardFigures } from './figures.js'
import { consoleAdminOf } from '../auth/console-scope.js'

/** The dashboard: figures from {@link dashboardFigures}, drawn by a bundled React component. */
export function dashboardOptions(options: { knex: Knex; componentLoader: ComponentLoader }) {
  return {
    component: options.componentLoader.add('CrispDashboard', projectPath('admin', 'dashboard', 'component.jsx')),
    handler: async (_request: unknown, _response: unknown, context?: { currentAdmin?: unknown }) => {
      const admin = consoleAdminOf(context)
      return dashboardFigures(options.knex, admin?.orgId, { ownFeedsOnly: admin?.role !== 'admin' })
    },
  }
}
