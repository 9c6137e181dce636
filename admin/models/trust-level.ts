import { Model } from 'objection'

export class TrustLevel extends Model {
  static tableName = 'trust_levels'
  static jsonSchema = {
    type: 'object',
    required: ['name', 'level', 'anonymization_level'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      level: { type: 'integer', minimum: 1, maximum: 5 },
      anonymization_level: { type: 'string', enum: ['none', 'low', 'medium', 'high', 'full'] },
      description: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
}
