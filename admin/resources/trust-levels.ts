import { TrustLevel } from '../models/trust-level.js'
import { serviceActions } from '../actions/service-actions.js'
import { text, type ResourceFactory } from './types.js'

/** Trust levels 1–5 and the anonymization each applies. Deleting one still in use is refused by the service. */
export const trustLevelsResource: ResourceFactory = (deps) => ({
  resource: TrustLevel,
  options: {
    navigation: { name: 'Trust', icon: 'Shield' },
    sort: { sortBy: 'level', direction: 'desc' },
    listProperties: ['name', 'level', 'anonymization_level', 'description'],
    showProperties: ['name', 'level', 'anonymization_level', 'description', 'created_at', 'updated_at'],
    editProperties: ['name', 'level', 'anonymization_level', 'description'],
    filterProperties: ['name', 'level', 'anonymization_level'],
    properties: {
      description: { type: 'textarea' },
      anonymization_level: {
        description: 'How data shared at this level is anonymized: none · low · medium · high · full',
      },
    },
    actions: serviceActions(deps, {
      toInput: (p) => ({
        name: text(p.name),
        level: p.level === undefined || p.level === '' ? undefined : Number(p.level),
        anonymizationLevel: text(p.anonymization_level),
        description: text(p.description),
      }),
      fieldOf: { anonymizationLevel: 'anonymization_level' },
      fieldOfCode: { CRISP_TRUST_LEVEL_NAME_TAKEN: 'name' },
      create: (call) => deps.services.trustLevels.create(call),
      update: (call) => deps.services.trustLevels.update(call),
      remove: (call) => deps.services.trustLevels.remove(call),
    }),
  },
})
