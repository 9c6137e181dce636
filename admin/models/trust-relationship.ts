import { Model } from 'objection'
import { Organization } from './organization.js'
import { TrustLevel } from './trust-level.js'

/** trustor → trustee at a trust level: the trustor decides how the trustee sees its data. */
export class TrustRelationship extends Model {
  static tableName = 'trust_relationships'
  static jsonSchema = {
    type: 'object',
    required: ['trustor_org_id', 'trustee_org_id', 'trust_level_id'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      trustor_org_id: { type: 'string' },
      trustee_org_id: { type: 'string' },
      trust_level_id: { type: 'string' },
      notes: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
  static relationMappings = () => ({
    trustor: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'trust_relationships.trustor_org_id', to: 'organizations.id' },
    },
    trustee: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'trust_relationships.trustee_org_id', to: 'organizations.id' },
    },
    trustLevel: {
      relation: Model.BelongsToOneRelation,
      modelClass: TrustLevel,
      join: { from: 'trust_relationships.trust_level_id', to: 'trust_levels.id' },
    },
  })
}
