import { Model } from 'objection'
import { AUDIT_OUTCOMES } from '../../core/model/vocabularies.js'

/** The append-only audit log (a database trigger refuses updates and deletes). */
export class AuditEntry extends Model {
  static tableName = 'audit_log'
  static jsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
      action: { type: 'string' },
      outcome: { type: 'string', enum: [...AUDIT_OUTCOMES] },
      actor_email: { type: ['string', 'null'] },
      actor_user_id: { type: ['string', 'null'] },
      actor_org_id: { type: ['string', 'null'] },
      ip: { type: ['string', 'null'] },
      target_type: { type: ['string', 'null'] },
      target_id: { type: ['string', 'null'] },
      details: { type: 'object' },
    },
  }
}
