import { User } from '../models/user.js'
import { serviceActions } from '../actions/service-actions.js'
import { serviceRecordAction } from '../actions/record-action.js'
import { text, type ResourceFactory } from './types.js'

const passwordVisibility = { list: false, filter: false, show: false, edit: true }

/**
 * Users: created with the password policy; editing with a new password resets it; deactivate is a separate
 * action. The hash never leaves the database (the model drops it) and users are never deleted (audit history).
 */
export const usersResource: ResourceFactory = (deps) => ({
  resource: User,
  options: {
    navigation: { name: 'Identity', icon: 'Users' },
    listProperties: ['email', 'display_name', 'organization_id', 'role', 'is_active', 'last_login_at'],
    showProperties: [
      'email',
      'display_name',
      'organization_id',
      'role',
      'is_active',
      'last_login_at',
      'created_at',
      'updated_at',
    ],
    editProperties: ['email', 'display_name', 'organization_id', 'role', 'password'],
    filterProperties: ['email', 'display_name', 'organization_id', 'role', 'is_active'],
    properties: {
      password: {
        type: 'password',
        isVisible: passwordVisibility,
        description:
          'At least 12 characters with upper and lower case, two digits and a symbol. When editing, leave empty to keep the current password.',
      },
    },
    actions: {
      ...serviceActions(deps, {
        toInput: (p) => ({
          email: text(p.email),
          displayName: text(p.display_name),
          organizationId: text(p.organization_id),
          role: text(p.role),
          password: text(p.password),
        }),
        fieldOf: { displayName: 'display_name', organizationId: 'organization_id' },
        fieldOfCode: { CRISP_PASSWORD_POLICY: 'password', CRISP_USER_EMAIL_TAKEN: 'email' },
        // An org-admin's new user joins its organization when the form names none (the service refuses another).
        create: ({ input, ...call }) =>
          deps.services.users.create({
            ...call,
            input: {
              ...input,
              organizationId: input.organizationId || (call.actor.role === 'admin' ? undefined : call.actor.orgId),
            },
          }),
        update: async ({ input, ...call }) => {
          const { password, ...changes } = input
          await deps.services.users.update({ ...call, input: changes })
          if (password) await deps.services.users.resetPassword({ ...call, input: { password: String(password) } })
        },
      }),
      deactivate: serviceRecordAction(deps, {
        icon: 'UserX',
        guard: 'Deactivate this user? Their sessions and API keys stop working at once.',
        done: 'User deactivated',
        available: (params) => params.is_active === true || params.is_active === 'true',
        run: (call) => deps.services.users.deactivate(call),
      }),
    },
  },
})
