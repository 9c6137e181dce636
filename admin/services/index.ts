import { createOrganization, deleteOrganization, updateOrganization, type OrganizationInput } from '../../core/identity/organizations.js'
import { createUser, resetPassword, updateUser, type CreateUserInput, type UpdateUserInput } from '../../core/identity/users.js'
import { revokeApiKey } from '../../core/identity/api-keys.js'
import { createTrustLevel, deleteTrustLevel, updateTrustLevel, type TrustLevelInput } from '../../core/trust/trust-levels.js'
import { createTrustRelationship, deleteTrustRelationship, updateTrustRelationship } from '../../core/trust/trust-relationships.js'
import { requestRun } from '../../core/feeds/run-service.js'
import { createFeed, deleteFeed, updateFeed } from '../../core/feeds/feed-service.js'
import type { FeedInput } from '../../core/feeds/feed-input.js'
import type { ConsoleServices } from './types.js'

// The console's form values arrive untyped; the services validate them exactly as they do REST bodies.
type As<T> = T & Record<string, unknown>
const as = <T>(input: Record<string, unknown>) => input as As<T>

/**
 * The one place the console's actions find the platform services: core/identity, core/trust and core/feeds,
 * the functions behind the REST routes.
 */
export const consoleServices: ConsoleServices = {
  organizations: {
    create: ({ db, actor, input }) => createOrganization({ db, actor, input: as<OrganizationInput & { name: string }>(input) }),
    update: ({ db, actor, id, input }) => updateOrganization({ db, actor, id, input: as<OrganizationInput>(input) }),
    remove: ({ db, actor, id }) => deleteOrganization({ db, actor, id }),
  },
  users: {
    create: ({ db, actor, input }) => createUser({ db, actor, input: as<CreateUserInput>(input) }),
    update: ({ db, actor, id, input }) => updateUser({ db, actor, id, input: as<UpdateUserInput>(input) }),
    resetPassword: ({ db, actor, id, input }) => resetPassword({ db, actor, id, input }),
    deactivate: ({ db, actor, id }) => updateUser({ db, actor, id, input: { isActive: false } }),
  },
  trustLevels: {
    create: ({ db, actor, input }) => createTrustLevel({ db, actor, input: as<Required<Pick<TrustLevelInput, 'name' | 'level' | 'anonymizationLevel'>>>(input) }),
    update: ({ db, actor, id, input }) => updateTrustLevel({ db, actor, id, input: as<TrustLevelInput>(input) }),
    remove: ({ db, actor, id }) => deleteTrustLevel({ db, actor, id }),
  },
  trustRelationships: {
    create: ({ db, actor, input }) => createTrustRelationship({ db, actor, input: as<{ trusteeOrgId: string; trustLevelId: string }>(input) }),
    update: ({ db, actor, id, input }) => updateTrustRelationship({ db, actor, id, input: { trustLevelId: input.trustLevelId as string | undefined, notes: input.notes as string | undefined } }),
    remove: ({ db, actor, id }) => deleteTrustRelationship({ db, actor, id }),
  },
  feeds: {
    create: ({ db, actor, input, registry }) => createFeed({ knex: db, registry, actor, ip: actor.ip }, as<FeedInput>(input)),
    update: ({ db, actor, id, input, registry }) => updateFeed({ knex: db, registry, actor, ip: actor.ip }, id, as<Partial<FeedInput>>(input)),
    remove: ({ db, actor, id, registry }) => deleteFeed({ knex: db, registry, actor, ip: actor.ip }, id),
    runNow: ({ db, actor, id, registry, queue }) => requestRun({ knex: db, registry, actor, ip: actor.ip, queue }, id),
  },
  apiKeys: { revoke: ({ db, actor, id }) => revokeApiKey({ db, actor, id }) },
}
