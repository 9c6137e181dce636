import { Type } from '../../core/plugin-api/index.js'

export const trustLevelsConfigSchema = Type.Object(
  {
    pseudonymScope: Type.Union([Type.Literal('platform'), Type.Literal('recipient')], {
      default: 'platform',
      description:
        "'platform': one pseudonym per value for every recipient (recipients can compare notes); 'recipient': " +
        'the key is derived per recipient organization, so two recipients cannot link their pseudonyms.',
    }),
    preserveLabels: Type.Boolean({
      default: false,
      description: 'Keep `labels` at level full (they are dropped by default: free-form tags can name the producer).',
    }),
  },
  { additionalProperties: false },
)
