import { createOrganization, deleteOrganization, updateOrganization } from '../../core/identity/organizations.js'
import type { CreateOrganizationInput, UpdateOrganizationInput } from '../../core/identity/organization-input.js'
import { createUser, resetPassword, updateUser } from '../../core/identity/users.js'
import type { CreateUserInput, ResetPasswordInput, UpdateUserInput } from '../../core/identity/user-input.js'
import { revokeApiKey } from '../../core/identity/api-keys.js'
import { createTrustLevel, deleteTrustLevel, updateTrustLevel } from '../../core/trust/trust-levels.js'
import type { CreateTrustLevelInput, UpdateTrustLevelInput } from '../../core/trust/trust-level-input.js'
import {
  createTrustRelationship,
  deleteTrustRelationship,
  updateTrustRelationship,
  type TrustChangeHook,
} from '../../core/trust/trust-relationships.js'
import { enqueueOwnerPrefill } from '../../core/sharing/prefill.js'
import type { CreateTrustRelationshipInput } from '../../core/trust/trust-relationship-input.js'
import { requestRun } from '../../core/feeds/run-service.js'
import { createFeed, deleteFeed, updateFeed } from '../../core/feeds/feed-service.js'
import type { FeedInput } from '../../core/feeds/feed-input.js'
import { updateAlert, type AlertChange } from '../../core/alerts/update-alert.js'
import type { ConsoleServices, Fields, TrustJobs } from './types.js'

// The console's form values arrive untyped. The cast only informs the compiler: the services check their input
// at run time — identity and trust against the schemas their REST routes declare (the same 400 as REST), feeds
// through `checkFeedInput`.
const as = <T>(input: Fields) => input as T

/** As REST does (core/routes/api/v1/trust-relationships.ts): a trust change enqueues the owner's prefill. */
const prefillOn = (jobs: TrustJobs['jobs']): TrustChangeHook | undefined =>
  jobs && ((trx, trustor) => enqueueOwnerPrefill(trx, jobs, trustor))

/**
 * The one place the console's actions find the platform services: core/identity, core/trust, core/feeds and core/alerts,
 * the functions behind the REST routes.
 */
export const consoleServices: ConsoleServices = {
  organizations: {
    create: ({ db, actor, input }) => createOrganization({ db, actor, input: as<CreateOrganizationInput>(input) }),
    update: ({ db, actor, id, input }) =>
      updateOrganization({ db, actor, id, input: as<UpdateOrganizationInput>(input) }),
    remove: ({ db, actor, id }) => deleteOrganization({ db, actor, id }),
  },
  users: {
    create: ({ db, actor, input }) => createUser({ db, actor, input: as<CreateUserInput>(input) }),
    update: ({ db, actor, id, input }) => updateUser({ db, actor, id, input: as<UpdateUserInput>(input) }),
    resetPassword: ({ db, actor, id, input }) => resetPassword({ db, actor, id, input: as<ResetPasswordInput>(input) }),
    deactivate: ({ db, actor, id }) => updateUser({ db, actor, id, input: { isActive: false } }),
  },
  trustLevels: {
    create: ({ db, actor, input }) => createTrustLevel({ db, actor, input: as<CreateTrustLevelInput>(input) }),
    update: ({ db, actor, id, input }) => updateTrustLevel({ db, actor, id, input: as<UpdateTrustLevelInput>(input) }),
    remove: ({ db, actor, id }) => deleteTrustLevel({ db, actor, id }),
  },
  trustRelationships: {
    create: ({ db, actor, input, jobs }) =>
      createTrustRelationship({
        db,
        actor,
        input: as<CreateTrustRelationshipInput>(input),
        onTrustChange: prefillOn(jobs),
      }),
    // The form also carries the two organizations, which cannot change (the resource refuses a change).
    update: ({ db, actor, id, input: { trustLevelId, notes }, jobs }) =>
      updateTrustRelationship({ db, actor, id, input: as({ trustLevelId, notes }), onTrustChange: prefillOn(jobs) }),
    remove: ({ db, actor, id }) => deleteTrustRelationship({ db, actor, id }),
  },
  feeds: {
    create: ({ db, actor, input, registry, secrets }) =>
      createFeed({ knex: db, registry, secrets, actor, ip: actor.ip }, as<FeedInput>(input)),
    update: ({ db, actor, id, input, registry, secrets }) =>
      updateFeed({ knex: db, registry, secrets, actor, ip: actor.ip }, id, as<Partial<FeedInput>>(input)),
    remove: ({ db, actor, id, registry, secrets }) =>
      deleteFeed({ knex: db, registry, secrets, actor, ip: actor.ip }, id),
    runNow: ({ db, actor, id, registry, queue, secrets }) =>
      requestRun({ knex: db, registry, secrets, actor, ip: actor.ip, queue }, id),
  },
  apiKeys: { revoke: ({ db, actor, id }) => revokeApiKey({ db, actor, id }) },
  alerts: {
    update: ({ db, actor, id, input, log }) => updateAlert({ db, log, actor, id, input: as<AlertChange>(input) }),
  },
}
