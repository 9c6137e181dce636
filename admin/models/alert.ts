import { Model } from 'objection'
import { Organization } from './organization.js'
import { User } from './user.js'
import { ALERT_STATUSES } from '../../core/model/vocabularies.js'

/** Alerts raised by security events (core/alerts). Read here; changed only through `updateAlert`. */
export class Alert extends Model {
  static tableName = 'alerts'
  static jsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      organization_id: { type: 'string' },
      event_id: { type: 'string' },
      title: { type: 'string' },
      source: { type: 'string' },
      severity: { type: 'integer', enum: [1, 2, 3, 4] },
      status: { type: 'string', enum: [...ALERT_STATUSES] },
      assignee_user_id: { type: ['string', 'null'] },
      match_count: { type: 'integer' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
      acknowledged_at: { type: ['string', 'null'], format: 'date-time' },
      resolved_at: { type: ['string', 'null'], format: 'date-time' },
    },
  }
  static relationMappings = () => ({
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'alerts.organization_id', to: 'organizations.id' },
    },
    assignee: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'alerts.assignee_user_id', to: 'users.id' },
    },
  })
}
