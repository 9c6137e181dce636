import type { ActionContext, BaseProperty, BaseRecord, BaseResource, Filter, PropertyType } from 'adminjs'
import type { Knex } from 'knex'
import { can } from '../../core/auth/permissions.js'
import type { PluginRegistry } from '../../core/registry/registry.js'
import type { AdminJsModules } from '../adminjs-env.js'
import { consoleAdminOf } from '../auth/console-scope.js'
import { principalOf } from '../auth/login.js'
import {
  browsedParams,
  browseObjects,
  browseOne,
  parseBrowsedId,
  type BrowseFilter,
  type BrowseOptions,
} from './browse-objects.js'

/** The resource id (URL segment `/admin/resources/shared_objects`). */
export const SHARED_OBJECTS_ID = 'shared_objects'

const PROPERTIES: [path: string, type: PropertyType][] = [
  ['id', 'string'],
  ['name', 'string'],
  ['type', 'string'],
  ['stix_id', 'string'],
  ['collection', 'reference'],
  ['producer', 'reference'],
  ['origin', 'string'],
  ['tlp', 'string'],
  ['date_added', 'string'],
  ['version', 'string'],
  ['object', 'textarea'],
  ['search', 'string'],
]
type FilterField = 'type' | 'search' | 'producer' | 'collection' | 'origin'

/** The signed-in admin as the principal the API would see; null without a session or without `objects:read`. */
function readerOf(context?: ActionContext): BrowseOptions['principal'] | null {
  const admin = consoleAdminOf(context)
  if (!admin?.orgId) return null
  const principal = principalOf(admin)
  return can(principal, 'objects:read') ? principal : null
}

function formFilter(filter: Filter): BrowseFilter {
  const value = (path: FilterField) => {
    const v = filter.filters[path]?.value
    return typeof v === 'string' && v !== '' ? v : undefined
  }
  return {
    type: value('type'),
    q: value('search'),
    producer: value('producer'),
    collection: value('collection'),
    origin: value('origin'),
  }
}

/**
 * A read-only AdminJS resource over the egress pipeline: list (with filters), show, nothing else. AdminJS's
 * list action calls `find` then `count` with the same context, so one scan answers both.
 */
export function createSharedObjectsResource(
  modules: Pick<AdminJsModules, 'adminjs'>,
  deps: { knex: Knex; registry: () => PluginRegistry } & Pick<BrowseOptions, 'storedOutput'>,
): BaseResource {
  const { BaseResource: Base, BaseProperty: Property, BaseRecord: Record } = modules.adminjs
  const properties = PROPERTIES.map(
    ([path, type], position) => new Property({ path, type, isId: path === 'id', isSortable: false, position }),
  )
  const scans = new WeakMap<object, Promise<{ total: number; records: BaseRecord[] }>>()

  class SharedObjectsResource extends Base {
    override id() {
      return SHARED_OBJECTS_ID
    }
    override databaseName() {
      return 'crisp'
    }
    override databaseType() {
      return 'egress pipeline'
    }
    override properties(): BaseProperty[] {
      return properties
    }
    override property(path: string): BaseProperty | null {
      return properties.find((p) => p.path() === path) ?? null
    }

    scan(filter: Filter, page: { offset: number; limit: number }, context?: ActionContext) {
      const key = context ?? {}
      let scan = scans.get(key)
      if (!scan) {
        scan = (async () => {
          const principal = readerOf(context)
          if (!principal) return { total: 0, records: [] }
          const { items, more } = await browseObjects({
            knex: deps.knex,
            registry: deps.registry(),
            principal,
            storedOutput: deps.storedOutput,
            filter: formFilter(filter),
            ...page,
          })
          // The pager needs a total: what was found so far, one more page when more follow (scanning to the end
          // of a large store for a count would cost what the page itself does not).
          const total = page.offset + items.length + (more ? page.limit : 0)
          return { total, records: items.map((o) => new Record(browsedParams(o, principal.orgId), this)) }
        })()
        scans.set(key, scan)
      }
      return scan
    }

    override async find(
      filter: Filter,
      options: { limit?: number; offset?: number },
      context?: ActionContext,
    ): Promise<BaseRecord[]> {
      return (await this.scan(filter, { offset: options.offset ?? 0, limit: options.limit ?? 10 }, context)).records
    }

    override async count(filter: Filter, context?: ActionContext): Promise<number> {
      return (await this.scan(filter, { offset: 0, limit: 10 }, context)).total
    }

    override async findOne(id: string, context?: ActionContext): Promise<BaseRecord | null> {
      const principal = readerOf(context)
      const ref = parseBrowsedId(String(id))
      if (!principal || !ref) return null
      const found = await browseOne({
        knex: deps.knex,
        registry: deps.registry(),
        principal,
        storedOutput: deps.storedOutput,
        ...ref,
      })
      return found ? new Record(browsedParams(found, principal.orgId), this) : null
    }

    override async findMany(ids: (string | number)[], context?: ActionContext): Promise<BaseRecord[]> {
      const found = await Promise.all(ids.map((id) => this.findOne(String(id), context)))
      return found.filter((r): r is BaseRecord => r !== null)
    }
  }
  return new SharedObjectsResource()
}
