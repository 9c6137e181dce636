import { Model, type Pojo } from 'objection'
import { ROLES } from '../../core/plugin-api/index.js'
import { Organization } from './organization.js'

/** Users as the console sees them: the password hash is dropped as rows are read and never reaches a page. */
export class User extends Model {
  static tableName = 'users'
  static jsonSchema = {
    type: 'object',
    required: ['email', 'role', 'organization_id'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      email: { type: 'string' },
      display_name: { type: 'string' },
      organization_id: { type: 'string' },
      role: { type: 'string', enum: [...ROLES] },
      is_active: { type: 'boolean' },
      last_login_at: { type: ['string', 'null'], format: 'date-time' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
  static relationMappings = () => ({
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'users.organization_id', to: 'organizations.id' },
    },
  })
  $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json)
    delete parsed.password_hash
    delete parsed.token_version
    return parsed
  }
}
