import type { ActionContext, ActionRequest, ActionResponse } from 'adminjs'
import { Organization } from '../models/organization.js'
import { serviceActions } from '../actions/service-actions.js'
import { consoleAdminOf } from '../auth/console-scope.js'
import { showOnly, text, type ResourceFactory } from './types.js'
import { INDUSTRY_SECTORS } from '../../core/identity/org-identity.js'
import type { Fields } from '../services/types.js'

/**
 * The form's sectors: AdminJS sends an array property flattened (`sectors.0`, `sectors.1`…) or, emptied, as an
 * empty `sectors`; absent from the form means unchanged.
 */
function sectorsOf(p: Fields): string[] | undefined {
  const flat = Object.keys(p)
    .filter((k) => /^sectors\.\d+$/.test(k))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
  if (flat.length) return flat.map((k) => String(p[k])).filter((v) => v !== '')
  if (!('sectors' in p)) return undefined
  return Array.isArray(p.sectors) ? p.sectors.map(String) : []
}

/** Organizations, with their members listed on the show page. */
export const organizationsResource: ResourceFactory = (deps) => ({
  resource: Organization,
  options: {
    navigation: { name: 'Identity', icon: 'Users' },
    listProperties: ['name', 'contact_email', 'created_at'],
    showProperties: [
      'name',
      'description',
      'contact_email',
      'sectors',
      'contact_information',
      'identity_json',
      'members',
      'created_at',
      'updated_at',
    ],
    editProperties: ['name', 'description', 'contact_email', 'sectors', 'contact_information'],
    filterProperties: ['name', 'contact_email', 'created_at'],
    properties: {
      description: { type: 'textarea' },
      sectors: {
        isArray: true,
        availableValues: INDUSTRY_SECTORS.map((s) => ({ value: s, label: s })),
        description: "STIX industry-sector-ov sectors, stated by the organization's STIX identity",
      },
      contact_information: { description: "The STIX identity's contact information; the contact e-mail when empty" },
      identity_json: {
        type: 'textarea',
        isVisible: showOnly,
        description: 'The organization as a STIX 2.1 identity: the created_by_ref of what it publishes',
      },
      stix_identity: { isVisible: false },
      members: {
        type: 'textarea',
        isVisible: showOnly,
        description: 'Users of this organization (manage them under Users)',
      },
    },
    actions: {
      ...serviceActions(deps, {
        toInput: (p) => ({
          name: text(p.name),
          description: text(p.description),
          contactEmail: text(p.contact_email) || null,
          sectors: sectorsOf(p),
          contactInformation: p.contact_information === undefined ? undefined : text(p.contact_information) || null,
        }),
        fieldOf: { contactEmail: 'contact_email', contactInformation: 'contact_information' },
        create: (call) => deps.services.organizations.create(call),
        update: (call) => deps.services.organizations.update(call),
        remove: (call) => deps.services.organizations.remove(call),
      }),
      show: {
        after: async (response: ActionResponse, _request: ActionRequest, context: ActionContext) => {
          // Members are listed to a platform admin, and to an org-admin for its own organization only (as REST).
          const admin = consoleAdminOf(context)
          const members =
            admin?.role === 'admin' || admin?.orgId === response.record.id
              ? await deps
                  .knex('users')
                  .where({ organization_id: response.record.id })
                  .orderBy('email')
                  .select('email', 'role', 'is_active')
              : null
          const row = await deps.knex('organizations').where({ id: response.record.id }).first('stix_identity')
          response.record.params.identity_json = row?.stix_identity
            ? JSON.stringify(row.stix_identity, null, 2)
            : '(none)'
          response.record.params.members = members
            ? members.map((m) => `${m.email} (${m.role}${m.is_active ? '' : ', inactive'})`).join('\n') ||
              '(no members)'
            : '(another organization: members not shown)'
          return response
        },
      },
    },
  },
})
