import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ComponentLoader } from 'adminjs'
import type { Knex } from 'knex'
import { dashboardFigures } from './figures.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/** The dashboard: figures from {@link dashboardFigures}, drawn by a bundled React component. */
export function dashboardOptions(options: { knex: Knex; componentLoader: ComponentLoader }) {
  return {
    component: options.componentLoader.add('CrispDashboard', path.join(here, 'component.jsx')),
    handler: async () => dashboardFigures(options.knex),
  }
}
