import type { ActionResponse } from 'adminjs'
import { Organization } from '../models/organization.js'
import { serviceActions } from '../actions/service-actions.js'
import { showOnly, text, type ResourceFactory } from './types.js'

/** Organizations, with their members listed on the show page. */
export const organizationsResource: ResourceFactory = (deps) => ({
  resource: Organization,
  options: {
    navigation: { name: 'Identity', icon: 'Users' },
    listProperties: ['name', 'contact_email', 'created_at'],
    showProperties: ['name', 'description', 'contact_email', 'members', 'created_at', 'updated_at'],
    editProperties: ['name', 'description', 'contact_email'],
    filterProperties: ['name', 'contact_email', 'created_at'],
    properties: {
      description: { type: 'textarea' },
      members: { type: 'textarea', isVisible: showOnly, description: 'Users of this organization (manage them under Users)' },
    },
    actions: {
      ...serviceActions(deps, {
        toInput: (p) => ({ name: text(p.name), description: text(p.description), contactEmail: text(p.contact_email) || null }),
        fieldOf: { contactEmail: 'contact_email' },
        create: (call) => deps.services.organizations.create(call),
        update: (call) => deps.services.organizations.update(call),
        remove: (call) => deps.services.organizations.remove(call),
      }),
      show: {
        after: async (response: ActionResponse) => {
          const members = await deps.knex('users').where({ organization_id: response.record.id }).orderBy('email').select('email', 'role', 'is_active')
          response.record.params.members = members.map((m) => `${m.email} (${m.role}${m.is_active ? '' : ', inactive'})`).join('\n') || '(no members)'
          return response
        },
      },
    },
  },
})
