import t from 'tap'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { createExporter, exportContext, exportToText, runExporterContract } from '../../test/contract/exporter.js'
import { sampleObjects } from '../../test/exports/samples.js'
import definition from './index.js'

t.test('contract', (t) => runExporterContract(t, { definition, sampleObjects }))

for (const lineBreaks of [false, true]) {
  t.test(`a bundle that validates against the OASIS schemas (lineBreaks: ${lineBreaks})`, async (t) => {
    const exporter = await createExporter(definition, { lineBreaks })
    const text = await exportToText(exporter, sampleObjects, exportContext(exporter))
    const bundle = JSON.parse(text)
    t.match(bundle.id, /^bundle--[0-9a-f-]{36}$/)
    t.same(bundle.objects, sampleObjects, 'objects unchanged and in order')
    t.same(getDefaultValidator().validate(bundle), { ok: true })
  })
}

t.test('an empty export is an empty bundle', async (t) => {
  const exporter = await createExporter(definition)
  const bundle = JSON.parse(await exportToText(exporter, [], exportContext(exporter)))
  t.same(bundle.objects, [])
  t.same(getDefaultValidator().validate(bundle), { ok: true })
})
