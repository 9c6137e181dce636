import type { Action, ActionContext, ActionResponse, CurrentAdmin, IsFunction, ResourceWithOptions } from 'adminjs'
import type { Model, QueryBuilder } from 'objection'
import { ROLES, type Role } from '../../core/plugin-api/index.js'
import { isOneOf } from '../../core/model/one-of.js'
import { Feed } from '../models/feed.js'
import { User } from '../models/user.js'
import type { ConsoleAdmin } from './login.js'

/** Who may sign in to the console: platform admins, and org-admins for their own organization. */
export const CONSOLE_ROLES: readonly Role[] = ['admin', 'org-admin']

/** The signed-in admin of an AdminJS action or page, as the console's login stored it in the session. */
export function consoleAdminOf(context?: { currentAdmin?: unknown }): ConsoleAdmin | undefined {
  const admin = context?.currentAdmin
  return isConsoleAdmin(admin) ? admin : undefined
}

function isConsoleAdmin(value: unknown): value is ConsoleAdmin {
  if (typeof value !== 'object' || value === null) return false
  const has = (key: string, type: 'string' | 'number') => typeof Reflect.get(value, key) === type
  return (
    has('id', 'string') &&
    has('email', 'string') &&
    has('orgId', 'string') &&
    has('title', 'string') &&
    has('tokenVersion', 'number') &&
    isOneOf(ROLES, Reflect.get(value, 'role'))
  )
}

const isPlatformAdmin = (context?: { currentAdmin?: CurrentAdmin }) => consoleAdminOf(context)?.role === 'admin'

type Rows = QueryBuilder<Model, Model[]>
type Params = Record<string, unknown>

/**
 * What an org-admin gets of one console resource (by its id: the table of an Objection resource); a resource not
 * listed here is platform admins' only.
 */
interface OrgAdminAccess {
  /** The rows it sees: `all` for the directories every user reads through the API (organizations, trust levels). */
  rows: 'all' | ((rows: Rows, orgId: string) => void)
  /** Actions refused to it; `all` hides the resource. */
  platformOnly?: readonly string[] | 'all'
  /** Of the rows it sees, those its record actions (edit, delete, deactivate, revoke…) may touch. */
  changes?: (params: Params, orgId: string) => boolean
}

const ofOrg = (column: string) => (rows: Rows, orgId: string) => void rows.where(column, orgId)

/**
 * The console's org-admin policy, the same as the services' (core/identity/user-scope.ts, core/feeds,
 * core/trust): its organization's users, their API keys, its trust relationships (changed as trustor only), its
 * feeds, their runs and its collections (to pick a feed's); the organizations and trust-level directories
 * read-only; the audit log and anything else not at all. The services refuse what slips past this.
 */
const ORG_ADMIN_ACCESS: Record<string, OrgAdminAccess> = {
  organizations: { rows: 'all', platformOnly: ['new', 'edit', 'delete', 'bulkDelete'] },
  trust_levels: { rows: 'all', platformOnly: ['new', 'edit', 'delete', 'bulkDelete'] },
  users: { rows: ofOrg('users.organization_id'), changes: (user) => user.role !== 'admin' },
  api_keys: {
    rows: (rows, orgId) =>
      void rows.whereIn(
        'api_keys.user_id',
        User.query().select('users.id').where('users.organization_id', orgId).whereNot('users.role', 'admin'),
      ),
  },
  trust_relationships: {
    rows: (rows, orgId) =>
      void rows.where((w) =>
        w.where('trust_relationships.trustor_org_id', orgId).orWhere('trust_relationships.trustee_org_id', orgId),
      ),
    changes: (relationship, orgId) => relationship.trustor_org_id === orgId,
  },
  feeds: { rows: ofOrg('feeds.organization_id') },
  feed_runs: {
    rows: (rows, orgId) =>
      void rows.whereIn('feed_runs.feed_id', Feed.query().select('feeds.id').where('feeds.organization_id', orgId)),
  },
  collections: { rows: ofOrg('collections.organization_id') },
  alerts: { rows: ofOrg('alerts.organization_id') },
  // Not an Objection resource: it reads as the signed-in admin through the egress pipeline (admin/objects/).
  shared_objects: { rows: 'all' },
}

/**
 * Narrows a console query on `table` to the rows the signed-in admin may see: a platform admin every row, an
 * org-admin its organization's (see ORG_ADMIN_ACCESS), anyone else — or a call without a session — none.
 * Every read of the console goes through here (list, count, show, search, reference look-ups, bulk records).
 */
export function scopeConsoleRows(rows: Rows, table: string, context?: { currentAdmin?: CurrentAdmin }): Rows {
  const admin = consoleAdminOf(context)
  if (admin?.role === 'admin') return rows
  const scope = admin?.role === 'org-admin' ? ORG_ADMIN_ACCESS[table]?.rows : undefined
  if (scope === 'all') return rows
  if (!scope || !admin) return rows.whereRaw('false')
  scope(rows, admin.orgId)
  return rows
}

const BUILT_IN_ACTIONS = ['list', 'show', 'search', 'new', 'edit', 'delete', 'bulkDelete']
const READ_ACTIONS = new Set(['list', 'show', 'search', 'new'])

const accessible = (option: boolean | IsFunction | undefined, context: ActionContext) =>
  typeof option === 'function' ? option(context) : option !== false

/**
 * Applies ORG_ADMIN_ACCESS to a resource's actions: refused actions are inaccessible to org-admins (AdminJS
 * then hides them and answers a forged call with an error), record actions only reach the rows `changes`
 * allows. Platform admins keep every action as the resource defines it.
 */
export function confineToConsoleRoles(resource: ResourceWithOptions): ResourceWithOptions {
  const id = resource.options?.id ?? (resource.resource as { tableName?: unknown }).tableName
  const access = typeof id === 'string' ? ORG_ADMIN_ACCESS[id] : undefined
  const actions: Record<string, Pick<Partial<Action<ActionResponse>>, 'isAccessible'> | undefined> = Object.assign(
    {},
    resource.options?.actions,
  )
  const names = [...new Set([...BUILT_IN_ACTIONS, ...Object.keys(actions)])]
  const refused = new Set(!access || access.platformOnly === 'all' ? names : (access.platformOnly ?? []))
  for (const name of names) {
    const action = actions[name] ?? {}
    const guard = access?.changes
    if (!refused.has(name) && (!guard || READ_ACTIONS.has(name))) continue
    actions[name] = {
      ...action,
      isAccessible: (context: ActionContext) => {
        if (!accessible(action.isAccessible, context)) return false
        if (isPlatformAdmin(context)) return true
        const admin = consoleAdminOf(context)
        if (refused.has(name) || !admin) return false
        return !context.record || !guard || guard(context.record.params, admin.orgId)
      },
    }
  }
  return { ...resource, options: { ...resource.options, actions } }
}
