import { TrustRelationship } from '../models/trust-relationship.js'
import { serviceActions } from '../actions/service-actions.js'
import { badRequest } from '../../core/infra/errors.js'
import { text, type ResourceFactory } from './types.js'

/** Who trusts whom at which level; organizations and levels are picked by name (reference selects). */
export const trustRelationshipsResource: ResourceFactory = (deps) => ({
  resource: TrustRelationship,
  options: {
    navigation: { name: 'Trust', icon: 'Shield' },
    listProperties: ['trustor_org_id', 'trustee_org_id', 'trust_level_id', 'created_at'],
    showProperties: ['trustor_org_id', 'trustee_org_id', 'trust_level_id', 'notes', 'created_at', 'updated_at'],
    editProperties: ['trustor_org_id', 'trustee_org_id', 'trust_level_id', 'notes'],
    filterProperties: ['trustor_org_id', 'trustee_org_id', 'trust_level_id'],
    properties: {
      trustor_org_id: { description: 'The organization sharing its data (it decides how the trustee sees it)' },
      trustee_org_id: { description: 'The organization receiving the data' },
      notes: { type: 'textarea' },
    },
    actions: serviceActions(deps, {
      toInput: (p) => ({
        trustorOrganizationId: text(p.trustor_org_id),
        trusteeOrganizationId: text(p.trustee_org_id),
        trustLevelId: text(p.trust_level_id),
        notes: text(p.notes),
      }),
      fieldOf: {
        trustorOrganizationId: 'trustor_org_id',
        trusteeOrganizationId: 'trustee_org_id',
        trustLevelId: 'trust_level_id',
        trustor_org_id: 'trustor_org_id',
        trustee_org_id: 'trustee_org_id',
        trust_level_id: 'trust_level_id',
      },
      create: (call) => deps.services.trustRelationships.create({ ...call, jobs: deps.jobs }),
      update: async (call) => {
        // The service changes only the level and notes; a changed pair of organizations is a new relationship.
        const current = await call.db('trust_relationships').where({ id: call.id }).first()
        const moved = (
          [
            ['trustorOrganizationId', 'trustor_org_id'],
            ['trusteeOrganizationId', 'trustee_org_id'],
          ] as const
        ).some(([field, column]) => call.input[field] !== undefined && current && call.input[field] !== current[column])
        if (moved)
          throw badRequest(
            'CRISP_TRUST_RELATIONSHIP_INVALID',
            'The organizations of a relationship cannot change: delete it and create a new one',
            { field: 'trusteeOrganizationId' },
          )
        return deps.services.trustRelationships.update({ ...call, jobs: deps.jobs })
      },
      remove: (call) => deps.services.trustRelationships.remove(call),
    }),
  },
})
