import { Model, type Pojo } from 'objection'
import { User } from './user.js'

/** API keys: the hash is dropped as rows are read; only the public prefix is shown. */
export class ApiKey extends Model {
  static tableName = 'api_keys'
  static jsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      prefix: { type: 'string' },
      user_id: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      expires_at: { type: ['string', 'null'], format: 'date-time' },
      last_used_at: { type: ['string', 'null'], format: 'date-time' },
      revoked_at: { type: ['string', 'null'], format: 'date-time' },
    },
  }
  static relationMappings = () => ({
    user: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'api_keys.user_id', to: 'users.id' },
    },
  })
  $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json)
    delete parsed.key_hash
    return parsed
  }
}
