import type { Principal, Role } from '../plugin-api/index.js'

/**
 * The one permission table. Roles are cumulative: a publisher can do what a viewer can, an admin what a
 * publisher can. Organization boundaries are checked separately, by `assertOrgAccess`.
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
  'users:manage': 'admin',
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

const RANK: Record<Role, number> = { viewer: 1, publisher: 2, admin: 3 }

export function can(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return RANK[principal.role] >= RANK[PERMISSIONS[permission]]
}

/** Non-admins act only inside their own organization. */
export function canActInOrg(principal: Pick<Principal, 'role' | 'orgId'>, orgId: string): boolean {
  return principal.role === 'admin' || principal.orgId === orgId
}
