import { Model } from 'objection'
import { ANONYMIZATION_LEVELS } from '../../core/plugin-api/types.js'

export class TrustLevel extends Model {
  static tableName = 'trust_levels'
  static jsonSchema = {
    type: 'object',
    required: ['name', 'level', 'anonymization_level'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      level: { type: 'integer', minimum: 1, maximum: 5 },
      anonymization_level: { type: 'string', enum: [...ANONYMIZATION_LEVELS] },
      description: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
}
