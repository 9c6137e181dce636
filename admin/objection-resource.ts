import type { ActionContext, BaseRecord, Filter } from 'adminjs'
import type { Model, QueryBuilder } from 'objection'
import type { AdminJsModules } from './adminjs-env.js'
import { scopeConsoleRows } from './auth/console-scope.js'

interface FindOptions {
  limit?: number | null
  offset?: number | null
  sort?: { sortBy?: string; direction?: 'asc' | 'desc' }
}

/**
 * The Objection resource the console uses, with two changes to @adminjs/objection 2.0's:
 * - every read is scoped to the signed-in admin (`scopeConsoleRows`): AdminJS passes its action context to
 *   `find`, `count`, `findOne` and `findMany`, so lists, counts, show/edit pages, searches, reference look-ups
 *   and bulk actions all see only the rows that admin may see — a forged record id of another organization is
 *   "not found";
 * - `count` asks Objection for `resultSize()`: the adapter reads `result.count` from `qb.count()`, but
 *   PostgreSQL answers `[{ count }]`, so every list said 0 rows and paging broke.
 */
export function createCountFixedResource({
  adminjs,
  objectionAdapter,
}: Pick<AdminJsModules, 'adminjs' | 'objectionAdapter'>) {
  const { Resource, convertFilter } = objectionAdapter
  return class ScopedObjectionResource extends Resource {
    /** The admin's rows of this resource's table. `model` is private in the adapter's typings. */
    private rows(context?: ActionContext): QueryBuilder<Model, Model[]> {
      const model = (this as unknown as { model: typeof Model }).model
      return scopeConsoleRows(model.query(), this.id(), context)
    }

    private records(rows: Model[] | undefined): BaseRecord[] {
      return (rows ?? []).map((row) => new adminjs.BaseRecord(row, this))
    }

    override async count(filter: Filter, context?: ActionContext): Promise<number> {
      const qb = this.rows(context)
      convertFilter(qb, filter)
      return qb.resultSize()
    }

    override async find(filter: Filter, options: FindOptions, context?: ActionContext): Promise<BaseRecord[]> {
      const qb = this.rows(context)
      if (options.limit) qb.limit(options.limit)
      if (options.offset) qb.offset(options.offset)
      if (options.sort?.sortBy) qb.orderBy(options.sort.sortBy, options.sort.direction ?? 'asc')
      convertFilter(qb, filter)
      return this.records(await qb)
    }

    override async findOne(id: string, context?: ActionContext): Promise<BaseRecord | null> {
      const row = await this.rows(context).findById(id)
      return row ? new adminjs.BaseRecord(row, this) : null
    }

    override async findMany(ids: Array<string | number>, context?: ActionContext): Promise<BaseRecord[]> {
      return this.records(await this.rows(context).findByIds(ids))
    }
  }
}
