import { Model, type Pojo } from 'objection'
import { Collection } from './collection.js'
import { Organization } from './organization.js'
import { FEED_DEFAULT_TLPS } from '../../core/model/vocabularies.js'

/** Feeds as the console lists them: the raw config (it may hold credentials) is dropped as rows are read. */
export class Feed extends Model {
  static tableName = 'feeds'
  static jsonSchema = {
    type: 'object',
    required: ['name', 'source_plugin', 'organization_id', 'collection_id'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      source_plugin: { type: 'string' },
      organization_id: { type: 'string' },
      collection_id: { type: 'string' },
      schedule: { type: ['string', 'null'] },
      default_tlp: { type: 'string', enum: [...FEED_DEFAULT_TLPS] },
      enabled: { type: 'boolean' },
      checkpoint: { type: ['string', 'null'] },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  }
  static relationMappings = () => ({
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'feeds.organization_id', to: 'organizations.id' },
    },
    collection: {
      relation: Model.BelongsToOneRelation,
      modelClass: Collection,
      join: { from: 'feeds.collection_id', to: 'collections.id' },
    },
  })
  $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json)
    delete parsed.config
    return parsed
  }
}
