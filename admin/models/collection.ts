import { Model } from 'objection'
import { Organization } from './organization.js'
import { VISIBILITIES } from '../../core/model/vocabularies.js'

export class Collection extends Model {
  static tableName = 'collections'
  static jsonSchema = {
    type: 'object',
    required: ['organization_id', 'title'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      title: { type: 'string' },
      alias: { type: ['string', 'null'] },
      description: { type: 'string' },
      organization_id: { type: 'string' },
      visibility: { type: 'string', enum: [...VISIBILITIES] },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
  static relationMappings = () => ({
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'collections.organization_id', to: 'organizations.id' },
    },
  })
}
