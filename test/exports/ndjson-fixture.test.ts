import t from 'tap'
import definition from '../fixtures/exporter-ndjson/index.js'
import { createExporter, exportContext, exportToText, runExporterContract } from '../contract/exporter.js'
import { sampleObjects } from './samples.js'

t.test('the third-party ndjson exporter passes the exporter contract', (t) =>
  runExporterContract(t, { definition, sampleObjects }),
)

t.test('one object per line', async (t) => {
  const exporter = await createExporter(definition)
  const text = await exportToText(exporter, sampleObjects, exportContext(exporter))
  t.same(
    text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l)),
    sampleObjects,
  )
})
