import { Type, type Static } from '../../core/plugin-api/index.js'

const columnRef = (description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], { description })

export const csvConfigSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'http(s) URL of the list or CSV file' }),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Extra request headers, e.g. an API key; values are never logged',
    }),
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 120000,
      description: 'Longest wait, in ms, for the remote to answer or to send the next part of the body',
    }),
    column: Type.Optional(
      columnRef(
        'CSV column holding the value: zero-based index or header name. Absent: the file is one value per line',
      ),
    ),
    dateColumn: Type.Optional(
      columnRef('CSV column holding when the value was first listed (e.g. URLhaus "dateadded"), used as valid_from'),
    ),
    delimiter: Type.String({ minLength: 1, maxLength: 1, default: ',', description: 'CSV field delimiter' }),
    hasHeader: Type.Boolean({
      default: false,
      description:
        'The first non-comment line is a header. Without one, a name column is looked up in the last "# a,b,c" comment line',
    }),
    labels: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Labels set on every indicator' }),
    confidence: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100, description: 'STIX confidence (0-100) set on every indicator' }),
    ),
    validForDays: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Sets valid_until this many days after valid_from' }),
    ),
    indicatorTypes: Type.Array(Type.String({ minLength: 1 }), {
      default: ['malicious-activity'],
      minItems: 1,
      description: 'STIX indicator_types of every indicator',
    }),
    name: Type.String({
      default: '{value}',
      minLength: 1,
      description: 'Indicator name template: {value}, {type} and, for CSV with a header, {<column name>}',
    }),
  },
  { additionalProperties: false },
)

export type CsvConfig = Static<typeof csvConfigSchema>
