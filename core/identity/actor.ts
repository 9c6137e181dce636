import type { Principal } from '../plugin-api/index.js'

/** Who asks a service to act: a principal (with the request's IP for the audit log), or null for the system/CLI. */
export type Actor = (Pick<Principal, 'userId' | 'orgId' | 'email' | 'role'> & { ip?: string }) | null

export const auditActor = (actor: Actor) =>
  actor ? { actor: { userId: actor.userId, orgId: actor.orgId, email: actor.email }, ip: actor.ip } : {}
