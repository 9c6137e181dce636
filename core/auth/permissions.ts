import { ROLES, type Principal, type Role } from '../plugin-api/index.js'

/**
 * The one permission table. Roles are cumulative, in the order of `ROLES`: a publisher can do what a viewer
 * can, an org-admin what a publisher can, an admin what an org-admin can. Organization boundaries are checked
 * separately, in the services (`canActInOrg`, `core/identity/user-scope.ts`): an org-admin's `users:manage`,
 * `api-keys:manage`, `feeds:manage` and `trust-relationships:manage` reach its own organization only.
 */
const PERMISSIONS = {
  'self:read': 'viewer',
  'self:update': 'viewer',
  'api-keys:manage-own': 'viewer',
  'objects:read': 'viewer',
  'collections:read': 'viewer',
  'exports:run': 'viewer',
  'objects:publish': 'publisher',
  'collections:manage': 'publisher',
  'feeds:read': 'publisher',
  'feeds:manage': 'publisher',
  'trust-relationships:manage': 'publisher',
  'organizations:read': 'viewer',
  'trust-levels:read': 'viewer',
  'trust-relationships:read': 'viewer',
  'organizations:manage': 'admin',
  'users:manage': 'org-admin',
  // Other users' keys (list, revoke); everyone manages their own with api-keys:manage-own.
  'api-keys:manage': 'org-admin',
  'trust-levels:manage': 'admin',
  'audit:read': 'admin',
  'plugins:read': 'admin',
  'events:read': 'viewer',
  'alerts:read': 'viewer',
  'alerts:manage': 'publisher',
  // Also held by API keys scoped to it (core/events/scoped-keys.ts), whatever their owner's role.
  'events:ingest': 'admin',
  'alert-settings:manage': 'admin',
} as const satisfies Record<string, Role>

export type Permission = keyof typeof PERMISSIONS

/** A role's place in the order of ROLES: each role holds what the roles before it hold. */
const rank = (role: Role) => ROLES.indexOf(role)

export function can(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return rank(principal.role) >= rank(PERMISSIONS[permission])
}

/** Only platform admins act across organizations; everyone else, org-admins included, inside their own. */
export function canActInOrg(principal: Pick<Principal, 'role' | 'orgId'>, orgId: string): boolean {
  return principal.role === 'admin' || principal.orgId === orgId
}
