import { defineAnonymizationStrategy } from '../../core/plugin-api/index.js'
import { trustLevelsConfigSchema } from './config.js'
import { createTrustLevelsStrategy } from './strategy.js'

export { anonymizationExtensionDefinition, ANONYMIZATION_EXTENSION_ID } from './extension.js'

/** The platform's default anonymization strategy: CIDR prefixes and keyed pseudonyms per trust level. */
export default defineAnonymizationStrategy({
  id: 'trust-levels',
  apiVersion: 1,
  version: '2.0.0',
  description:
    'Trust-level anonymization: CIDR prefixes, keyed .invalid pseudonyms, anonymous producer; valid STIX 2.1 out',
  configSchema: trustLevelsConfigSchema,
  create(ctx) {
    const secret = ctx.secrets.anonymizationKey
    // An empty key would make every pseudonym guessable by anyone: refuse to start rather than leak.
    if (typeof secret !== 'string' || secret.length < 16) {
      throw new Error('trust-levels: the anonymization key is missing or shorter than 16 characters')
    }
    return createTrustLevelsStrategy({
      secret,
      pseudonymScope: ctx.config.pseudonymScope ?? 'platform',
      preserveLabels: ctx.config.preserveLabels ?? false,
    })
  },
})
