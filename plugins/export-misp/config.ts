import { Type } from '../../core/plugin-api/index.js'

export const mispConfigSchema = Type.Object(
  {
    info: Type.String({ minLength: 1, default: 'CRISP export', description: 'Event title (MISP "info")' }),
    threatLevelId: Type.Union([Type.Literal('1'), Type.Literal('2'), Type.Literal('3'), Type.Literal('4')], {
      default: '4',
      description: 'MISP threat level: 1 high, 2 medium, 3 low, 4 undefined',
    }),
    analysis: Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('2')], {
      default: '2',
      description: 'MISP analysis state: 0 initial, 1 ongoing, 2 completed',
    }),
    distribution: Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('2'), Type.Literal('3')], {
      default: '0',
      description:
        'MISP distribution: 0 your organisation only (default: the export was anonymized for it), 1 this community, 2 connected communities, 3 all',
    }),
    maxEventTags: Type.Integer({
      minimum: 0,
      default: 1000,
      description:
        'Most distinct labels gathered into the event-level Tag list (bounds memory); attributes keep all their tags',
    }),
  },
  { additionalProperties: false },
)
