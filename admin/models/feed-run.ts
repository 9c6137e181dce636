import { Model } from 'objection'
import { Feed } from './feed.js'
import { FEED_RUN_STATUSES } from '../../core/model/vocabularies.js'

export class FeedRun extends Model {
  static tableName = 'feed_runs'
  static jsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      feed_id: { type: 'string' },
      status: { type: 'string', enum: [...FEED_RUN_STATUSES] },
      trigger: { type: 'string' },
      queued_at: { type: 'string', format: 'date-time' },
      started_at: { type: ['string', 'null'], format: 'date-time' },
      finished_at: { type: ['string', 'null'], format: 'date-time' },
      fetched: { type: 'integer' },
      new_objects: { type: 'integer' },
      new_versions: { type: 'integer' },
      unchanged: { type: 'integer' },
      rejected: { type: 'integer' },
      total: {
        type: ['integer', 'null'],
        description: 'Items the source said the run would yield; empty when it cannot know',
      },
      error: { type: ['string', 'null'] },
    },
  }
  static relationMappings = () => ({
    feed: {
      relation: Model.BelongsToOneRelation,
      modelClass: Feed,
      join: { from: 'feed_runs.feed_id', to: 'feeds.id' },
    },
  })
}
