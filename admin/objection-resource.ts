import type { Filter } from 'adminjs'
import type { AdminJsModules } from './adminjs-env.js'

/**
 * @adminjs/objection 2.0 reads `result.count` from `qb.count()`, but PostgreSQL answers `[{ count }]`, so every
 * list says 0 rows and paging breaks. This subclass applies the same filter and asks Objection for
 * `resultSize()` instead.
 */
export function createCountFixedResource({ objectionAdapter }: Pick<AdminJsModules, 'objectionAdapter'>) {
  const { Resource, convertFilter } = objectionAdapter
  return class CountFixedObjectionResource extends Resource {
    override async count(filter: Filter): Promise<number> {
      // `model` is private in the adapter's typings; it is the Objection model class this resource wraps.
      const qb = (this as unknown as { model: { query(): Parameters<typeof convertFilter>[0] } }).model.query()
      convertFilter(qb, filter)
      return qb.resultSize()
    }
  }
}
