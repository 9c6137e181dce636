import { createSharedObjectsResource } from '../objects/shared-objects-resource.js'
import type { ResourceFactory } from './types.js'

const listed = { list: true, filter: false, show: true, edit: false }
const shown = { list: false, filter: false, show: true, edit: false }
const filterOnly = { list: false, filter: true, show: false, edit: false }
const everywhere = { list: true, filter: true, show: true, edit: false }

/**
 * The object browser: the signed-in admin's organization's objects and what other organizations shared with
 * it, exactly as `GET /api/v1/objects` returns them to that admin (through the egress pipeline: TLP, trust,
 * anonymization). Read-only: list, filters and show; no new, edit or delete.
 */
export const objectBrowserResource: ResourceFactory = (deps) => ({
  resource: createSharedObjectsResource(deps, {
    knex: deps.knex,
    registry: () => deps.feedRuns.registry,
    storedOutput: deps.storedOutput,
  }),
  options: {
    id: 'shared_objects',
    navigation: { name: 'Intelligence', icon: 'Database' },
    listProperties: ['name', 'type', 'origin', 'producer', 'collection', 'tlp', 'date_added'],
    showProperties: [
      'name',
      'type',
      'stix_id',
      'origin',
      'producer',
      'collection',
      'tlp',
      'date_added',
      'version',
      'object',
    ],
    filterProperties: ['search', 'type', 'origin', 'producer', 'collection'],
    properties: {
      id: { isVisible: false },
      name: { isVisible: listed, isTitle: true, description: 'The name, else the value of an observable' },
      type: { isVisible: everywhere, description: 'STIX type(s), comma-separated' },
      stix_id: { isVisible: shown },
      search: { isVisible: filterOnly, description: 'Text in name or description' },
      origin: {
        isVisible: everywhere,
        availableValues: [
          { value: 'own', label: 'My organization' },
          { value: 'shared', label: 'Shared with me' },
        ],
      },
      producer: {
        isVisible: everywhere,
        reference: 'organizations',
        description: 'The organization owning the collection',
      },
      collection: { isVisible: everywhere, reference: 'collections' },
      tlp: { isVisible: listed },
      date_added: { isVisible: listed },
      version: { isVisible: shown },
      object: {
        isVisible: shown,
        type: 'textarea',
        description: 'The STIX object exactly as the API returns it to you',
      },
    },
    actions: {
      new: { isAccessible: false },
      edit: { isAccessible: false },
      delete: { isAccessible: false },
      bulkDelete: { isAccessible: false },
      search: { isAccessible: false },
    },
  },
})
