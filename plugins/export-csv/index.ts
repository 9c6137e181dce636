import { defineExporter, Type } from '../../core/plugin-api/index.js'
import { csvRecord } from './csv-cell.js'
import { CSV_COLUMNS, rowsOf } from './rows.js'

/** Indicator and observable values as CSV, one row per value, RFC 4180, safe to open in a spreadsheet. */
export const csvExporter = defineExporter({
  id: 'csv',
  apiVersion: 1,
  version: '1.0.0',
  description: 'CSV: one row per indicator or observable value (RFC 4180, CSV-injection safe)',
  configSchema: Type.Object(
    { header: Type.Boolean({ default: true, description: 'Start with a header row naming the columns' }) },
    { additionalProperties: false },
  ),
  create: ({ config }) => ({
    format: 'csv',
    mediaType: `text/csv; charset=utf-8; header=${config.header ? 'present' : 'absent'}`,
    fileExtension: 'csv',
    async *write(objects, ctx) {
      if (config.header) yield csvRecord(CSV_COLUMNS)
      for await (const obj of objects) {
        const rows = rowsOf(obj, ctx.collectionOf?.(obj))
        if (rows.length === 1) yield csvRecord(rows[0])
        else if (rows.length > 1) yield rows.map(csvRecord).join('')
      }
    },
  }),
})

export default csvExporter
