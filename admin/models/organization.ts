import { Model } from 'objection'

export class Organization extends Model {
  static tableName = 'organizations'
  static jsonSchema = {
    type: 'object',
    required: ['name'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      description: { type: 'string' },
      contact_email: { type: ['string', 'null'] },
      sectors: { type: 'array', items: { type: 'string' } },
      contact_information: { type: ['string', 'null'] },
      stix_identity: { type: ['object', 'null'] },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
}
